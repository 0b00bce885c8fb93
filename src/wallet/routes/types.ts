import type { Wallet } from '../createWallet.js'
import type { ContractCall } from '../send/types.js'
import type { VenueComparison } from './quoteVenues.js'

/** What a swap buys with ETH: VVV (staking) or USDC (x402 payments). */
export type SwapToken = 'VVV' | 'USDC'

/** A priced ETH → token swap on one venue. */
export type SwapQuote = {
  route: 'uniswap-v3' | 'aerodrome'
  /** The token bought (VVV when absent). */
  token?: SwapToken | undefined
  amountIn: bigint
  amountOut: bigint
  /** Uniswap V3 fee tier of the chosen pool (100, 500, 3000 or 10000). */
  fee?: number | undefined
  /** Aerodrome pool kind of the chosen pool. */
  stable?: boolean | undefined
  /** Every venue's price and gas, when the quote came from a comparison (what `--dry-run` shows). */
  comparison?: VenueComparison | undefined
}

/** Which token a quote is for (VVV when absent). */
export type SwapTokenOptions = { token?: SwapToken | undefined }

/** One way to swap ETH for VVV (or USDC): `best` compares every venue; a venue name restricts to that venue. */
export type SwapRoute = {
  name: 'best' | SwapQuote['route']
  /** Best output for exactly `amountIn` wei. @throws {NoRouteError} */
  quoteExactIn(wallet: Wallet, amountIn: bigint, options?: SwapTokenOptions): Promise<SwapQuote>
  /** Least input for at least `amountOut` of the token (base units). @throws {NoRouteError} */
  quoteExactOut(wallet: Wallet, amountOut: bigint, options?: SwapTokenOptions): Promise<SwapQuote>
  /** The router call for a quote: ETH in (as `value`), the quote's token to the wallet, at least `amountOutMinimum`. */
  buildSwap(wallet: Wallet, parameters: { quote: SwapQuote; amountOutMinimum: bigint }): ContractCall
}
