import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'

/**
 * Every contract address the runtime touches. The devnet deployment and Base mainnet produce
 * the same shape, so no other code needs to know which network it is on.
 */
export type AddressBook = {
  network: 'devnet' | 'base'
  chainId: number
  vvv: Address
  staking: Address
  diem: Address
  weth: Address
  swapRouter: Address
  quoter: Address
  positionManager: Address
  factory: Address
  multicall3: Address
  /** Aerodrome router (the main VVV liquidity on Base is there; the devnet installs a compatible one at the same address). */
  aerodromeRouter?: Address | undefined
  /** Aerodrome default pool factory (same address on Base and the devnet). */
  aerodromeFactory?: Address | undefined
  /** USDC (x402 payments). Base's address on both networks; absent in devnet states saved before the devnet had it. */
  usdc?: Address | undefined
}

/** The canonical Multicall3 address, identical on every EVM chain (and on the devnet). */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11'

/** Aerodrome's Router on Base; the devnet installs its compatible router at the same address. */
export const AERODROME_ROUTER_ADDRESS: Address = '0xcF77a3Ba9A5CA399B7c97c74d54e5b1Beb874E43'

/** Aerodrome's default PoolFactory on Base; the devnet installs its compatible factory at the same address. */
export const AERODROME_FACTORY_ADDRESS: Address = '0x420DD381b31aEf6683db6B902084cB0FFECe40Da'

/** USDC on Base (Circle's FiatToken v2.2); the devnet installs its FiatToken-compatible stand-in at the same address. */
export const USDC_ADDRESS: Address = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'

/**
 * Base mainnet (chain id 8453), from `shared/venice/FACTS.md`.
 *
 * @example
 * ```ts
 * import { baseAddressBook } from './addressBook.js'
 * baseAddressBook.staking // '0x321b7ff75154472B18EDb199033fF4D116F340Ff'
 * ```
 */
export const baseAddressBook: AddressBook = {
  network: 'base',
  chainId: 8453,
  vvv: '0xacfE6019Ed1A7Dc6f7B508C02d1b04ec88cC21bf',
  staking: '0x321b7ff75154472B18EDb199033fF4D116F340Ff',
  diem: '0xF4d97F2da56e8c3098f3a8D538DB630A2606a024',
  weth: '0x4200000000000000000000000000000000000006',
  usdc: USDC_ADDRESS,
  swapRouter: '0x2626664c2603336E57B271c5C0b26F421741e481',
  quoter: '0x3d4e44Eb1374240CE5F1B871ab261CD16335B76a',
  positionManager: '0x03a520b32C04BF3bEEf7BEb72E919cf822Ed34f1',
  factory: '0x33128a8fC17869897dcE68Ed026d694621f6FDfD',
  multicall3: MULTICALL3_ADDRESS,
  aerodromeRouter: AERODROME_ROUTER_ADDRESS,
  aerodromeFactory: AERODROME_FACTORY_ADDRESS,
}

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'must be a 0x-prefixed 20-byte address')
  .transform((v) => getAddress(v))

/** zod schema for an address book read from disk (e.g. `.gondola/devnet.json`). */
export const addressBookSchema = z.object({
  network: z.enum(['devnet', 'base']),
  chainId: z.number().int().positive(),
  vvv: address,
  staking: address,
  diem: address,
  weth: address,
  swapRouter: address,
  quoter: address,
  positionManager: address,
  factory: address,
  multicall3: address,
  aerodromeRouter: address.optional(),
  aerodromeFactory: address.optional(),
  usdc: address.optional(),
})

/** The contracts a spend policy allows transactions to by default: every address in the book. */
export function addressBookContracts(book: AddressBook): Address[] {
  return [
    book.vvv,
    book.staking,
    book.diem,
    book.weth,
    book.swapRouter,
    book.quoter,
    book.positionManager,
    book.factory,
    book.multicall3,
    book.aerodromeRouter,
    book.aerodromeFactory,
    book.usdc,
  ].filter((a): a is Address => a !== undefined)
}
