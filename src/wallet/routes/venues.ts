import { parseAbi, type Address } from 'viem'
import { quoterV2Abi, swapRouter02Abi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { NoRouteError } from '../errors.js'
import { isAllowlisted } from '../policy/policy.js'
import type { ContractCall } from '../send/types.js'
import { aerodromeRouterAbi } from './aerodromeRouterAbi.js'
import type { SwapQuote, SwapToken } from './types.js'

/** A place to swap ETH for VVV or USDC. */
export type VenueName = SwapQuote['route']

/** One pool of a venue: a Uniswap V3 fee tier or an Aerodrome pool kind. */
export type VenuePool = { venue: 'uniswap-v3'; fee: number } | { venue: 'aerodrome'; stable: boolean }

/** The Uniswap V3 fee tiers quoted, in hundredths of a bip. */
export const UNISWAP_FEE_TIERS = [100, 500, 3000, 10000] as const

/** Swap deadline given to the Aerodrome router. */
export const AERODROME_DEADLINE_SECONDS = 1_200

/**
 * Gas of one ETH → VVV swap on each venue (ETH as `value`, VVV to the wallet), measured on the devnet
 * (`test/wallet.venues.test.ts` checks them against real receipts). Used to compare venues net of gas.
 */
export const SWAP_GAS: Record<VenueName, bigint> = { 'uniswap-v3': 150_000n, aerodrome: 175_000n }

/** Multicall3's base-fee read, so the gas price comes in the same request as the quotes. */
export const basefeeAbi = parseAbi(['function getBasefee() view returns (uint256 basefee)'])

const quoterExactOutAbi = parseAbi([
  'struct QuoteExactOutputSingleParams { address tokenIn; address tokenOut; uint256 amount; uint24 fee; uint160 sqrtPriceLimitX96; }',
  'function quoteExactOutputSingle(QuoteExactOutputSingleParams params) returns (uint256 amountIn, uint160 sqrtPriceX96After, uint32 initializedTicksCrossed, uint256 gasEstimate)',
])

/** A call for Multicall3 (viem `multicall` contract entry). */
export type ReadCall = { address: Address; abi: readonly unknown[]; functionName: string; args?: readonly unknown[] }

/**
 * The pools of `venues` the wallet may use: every Uniswap V3 tier, and Aerodrome's volatile and stable
 * pools when Aerodrome is in the address book. A venue whose router the spend policy does not allow is
 * left out, so the policy applies to every venue before any quote.
 *
 * @example
 * ```ts
 * venuePools(wallet) // [{ venue: 'uniswap-v3', fee: 100 }, …, { venue: 'aerodrome', stable: false }, { venue: 'aerodrome', stable: true }]
 * ```
 */
export function venuePools(wallet: Wallet, venues: readonly VenueName[] = ['uniswap-v3', 'aerodrome']): VenuePool[] {
  const pools: VenuePool[] = []
  if (venues.includes('uniswap-v3') && isAllowlisted(wallet.policy, wallet.addresses.swapRouter))
    pools.push(...UNISWAP_FEE_TIERS.map((fee) => ({ venue: 'uniswap-v3' as const, fee })))
  const { aerodromeRouter, aerodromeFactory } = wallet.addresses
  if (venues.includes('aerodrome') && aerodromeRouter && aerodromeFactory && isAllowlisted(wallet.policy, aerodromeRouter)) {
    pools.push({ venue: 'aerodrome', stable: false }, { venue: 'aerodrome', stable: true })
  }
  return pools
}

/**
 * The router a venue's swap is sent to.
 *
 * @throws {NoRouteError} when the venue is not in the address book.
 *
 * @example
 * ```ts
 * routerOf(wallet, 'aerodrome') // '0xcF77a3Ba9A5CA399B7c97c74d54e5b1Beb874E43'
 * ```
 */
export function routerOf(wallet: Wallet, venue: VenueName): Address {
  const router = venue === 'aerodrome' ? wallet.addresses.aerodromeRouter : wallet.addresses.swapRouter
  if (!router)
    throw new NoRouteError(`${venue} is not in the ${wallet.addresses.network} address book.`, {
      metaMessages: ['Use another venue (the default route compares them all).'],
      code: 'NO_ROUTE',
    })
  return router
}

/**
 * The address of the token a swap buys.
 *
 * @throws {NoRouteError} when the address book has no such token (USDC on a devnet saved before it had one).
 *
 * @example
 * ```ts
 * swapTokenAddress(wallet, 'USDC') // '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
 * ```
 */
export function swapTokenAddress(wallet: Wallet, token: SwapToken = 'VVV'): Address {
  if (token === 'VVV') return wallet.addresses.vvv
  const usdc = wallet.addresses.usdc
  if (!usdc)
    throw new NoRouteError(`USDC is not in the ${wallet.addresses.network} address book.`, {
      metaMessages: ['On the devnet, start it afresh (a state saved before it had USDC has none).'],
      code: 'NO_ROUTE',
    })
  return usdc
}

/**
 * The one-hop WETH → token (VVV by default) Aerodrome route through the default factory.
 *
 * @example
 * ```ts
 * aerodromeHop(wallet, false) // { from: weth, to: vvv, stable: false, factory: '0x420DD381…40Da' }
 * ```
 */
export function aerodromeHop(wallet: Wallet, stable: boolean, token: SwapToken = 'VVV'): { from: Address; to: Address; stable: boolean; factory: Address } {
  return { from: wallet.addresses.weth, to: swapTokenAddress(wallet, token), stable, factory: wallet.addresses.aerodromeFactory! }
}

/**
 * The read pricing exactly `amountIn` wei on one pool (QuoterV2 or the Aerodrome router).
 *
 * @example
 * ```ts
 * exactInCall(wallet, { venue: 'uniswap-v3', fee: 3000 }, parseEther('0.01')).functionName // 'quoteExactInputSingle'
 * ```
 */
export function exactInCall(wallet: Wallet, pool: VenuePool, amountIn: bigint, token: SwapToken = 'VVV'): ReadCall {
  const { weth, quoter } = wallet.addresses
  if (pool.venue === 'uniswap-v3')
    return {
      address: quoter,
      abi: quoterV2Abi,
      functionName: 'quoteExactInputSingle',
      args: [{ tokenIn: weth, tokenOut: swapTokenAddress(wallet, token), amountIn, fee: pool.fee, sqrtPriceLimitX96: 0n }],
    }
  return {
    address: wallet.addresses.aerodromeRouter!,
    abi: aerodromeRouterAbi,
    functionName: 'getAmountsOut',
    args: [amountIn, [aerodromeHop(wallet, pool.stable, token)]],
  }
}

/**
 * Tokens out of an exact-input read, or undefined when the pool is missing or empty.
 *
 * @example
 * ```ts
 * decodeExactIn({ venue: 'aerodrome', stable: true }, [10n ** 16n, 0n]) // undefined: no stable pool
 * ```
 */
export function decodeExactIn(pool: VenuePool, result: unknown): bigint | undefined {
  const out = pool.venue === 'uniswap-v3' ? (result as readonly bigint[])[0] : (result as readonly bigint[])[1]
  return out !== undefined && out > 0n ? out : undefined
}

/**
 * The Uniswap exact-output read (QuoterV2 `quoteExactOutputSingle`) for one tier.
 *
 * @example
 * ```ts
 * uniswapExactOutCall(wallet, 3000, parseEther('20')).functionName // 'quoteExactOutputSingle'
 * ```
 */
export function uniswapExactOutCall(wallet: Wallet, fee: number, amountOut: bigint, token: SwapToken = 'VVV'): ReadCall {
  const { weth, quoter } = wallet.addresses
  return {
    address: quoter,
    abi: quoterExactOutAbi,
    functionName: 'quoteExactOutputSingle',
    args: [{ tokenIn: weth, tokenOut: swapTokenAddress(wallet, token), amount: amountOut, fee, sqrtPriceLimitX96: 0n }],
  }
}

/**
 * The router call for a quote: ETH in as `value`, the quote's token (VVV by default) to the wallet, at least
 * `amountOutMinimum`.
 * Uniswap: SwapRouter02 `exactInputSingle` (no deadline in its struct). Aerodrome: `swapExactETHForTokens`
 * with a 20-minute deadline.
 *
 * @example
 * ```ts
 * buildVenueSwap(wallet, quote, applySlippageDown(quote.amountOut, 50)) // { to: router, functionName, args, value: quote.amountIn }
 * ```
 */
export function buildVenueSwap(wallet: Wallet, quote: SwapQuote, amountOutMinimum: bigint): ContractCall {
  const token = quote.token ?? 'VVV'
  if (quote.route === 'uniswap-v3') {
    const tokenOut = swapTokenAddress(wallet, token)
    const fee = quote.fee ?? 3000
    return {
      label: `swap ETH → ${token} (Uniswap V3, fee ${quote.fee})`,
      to: routerOf(wallet, 'uniswap-v3'),
      abi: swapRouter02Abi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn: wallet.addresses.weth, tokenOut, fee, recipient: wallet.address, amountIn: quote.amountIn, amountOutMinimum, sqrtPriceLimitX96: 0n }],
      value: quote.amountIn,
    }
  }
  const deadline = BigInt(Math.floor(wallet.now().getTime() / 1000) + AERODROME_DEADLINE_SECONDS)
  return {
    label: `swap ETH → ${token} (Aerodrome, ${quote.stable ? 'stable' : 'volatile'} pool)`,
    to: routerOf(wallet, 'aerodrome'),
    abi: aerodromeRouterAbi,
    functionName: 'swapExactETHForTokens',
    args: [amountOutMinimum, [aerodromeHop(wallet, quote.stable ?? false, token)], wallet.address, deadline],
    value: quote.amountIn,
  }
}

/**
 * How a pool is named in comparisons.
 *
 * @example
 * ```ts
 * poolLabel({ route: 'aerodrome', stable: false }) // 'aerodrome volatile'
 * ```
 */
export function poolLabel(q: Pick<SwapQuote, 'route' | 'fee' | 'stable'>): string {
  return q.route === 'uniswap-v3' ? `uniswap-v3 fee ${q.fee}` : `aerodrome ${q.stable ? 'stable' : 'volatile'}`
}
