/**
 * What the emulator's x402 rail offers: the asset, the payee, the chain, the top-up bounds, and
 * (optionally) the chain clients it settles with as its own facilitator.
 */
import { USDC_ADDRESS } from 'gondola/chain'
import { getAddress, keccak256, stringToHex, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem'

/** USDC on Base (the devnet deploys its stand-in at the same address): the one definition, in the address book. */
export const USDC_BASE: Address = USDC_ADDRESS

/**
 * The emulator's default payee (`payTo`): an address derived from a fixed label, so it is the same in
 * every run and no one holds its key. A client learns it from the `accepts` of `POST /x402/top-up`.
 */
export const EMULATOR_X402_PAYEE: Address = getAddress(`0x${keccak256(stringToHex('gondola venice-emulator x402 payee')).slice(-40)}`)

/** The chain clients of settlement: an emulator-owned, funded account submits `transferWithAuthorization`. */
export type X402Settlement = { publicClient: PublicClient; walletClient: WalletClient<Transport, Chain, Account> }

export type X402Options = {
  /** Where top-ups settle; without it `POST /x402/top-up` with a payment answers 500 (credits via `setX402Balance`). */
  settlement?: X402Settlement
  /** Chain id of the `accepts` network and of SIWE messages (default: the settlement chain's, else 8453). */
  chainId?: number
  asset?: Address
  payTo?: Address
  /** SIWE `domain` required in `SIGN-IN-WITH-X` (default `api.venice.ai`, the spec's fixed value, whatever host the emulator listens on). */
  siwxDomain?: string
  minimumTopUpUsd?: number
  maximumTopUpUsd?: number
  suggestedTopUpUsd?: number
  /** Below this credit balance inference answers 402 (default 0.001, the spec's minimum price of a call). */
  minimumBalanceUsd?: number
  maxTimeoutSeconds?: number
}

/** The resolved x402 settings. */
export type X402Config = Required<Omit<X402Options, 'settlement'>> & {
  settlement: X402Settlement | undefined
  siwxDomain: string
  network: `eip155:${number}`
}

/**
 * @example
 * ```ts
 * resolveX402Config({}).network // 'eip155:8453'
 * ```
 */
export function resolveX402Config(options: X402Options = {}): X402Config {
  const chainId = options.chainId ?? options.settlement?.walletClient.chain.id ?? 8453
  return {
    settlement: options.settlement,
    chainId,
    network: `eip155:${chainId}`,
    asset: getAddress(options.asset ?? USDC_BASE),
    payTo: getAddress(options.payTo ?? EMULATOR_X402_PAYEE),
    siwxDomain: options.siwxDomain ?? 'api.venice.ai',
    minimumTopUpUsd: options.minimumTopUpUsd ?? 5,
    maximumTopUpUsd: options.maximumTopUpUsd ?? 10_000,
    suggestedTopUpUsd: options.suggestedTopUpUsd ?? 10,
    minimumBalanceUsd: options.minimumBalanceUsd ?? 0.001,
    maxTimeoutSeconds: options.maxTimeoutSeconds ?? 300,
  }
}
