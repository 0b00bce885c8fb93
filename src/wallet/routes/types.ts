import type { Wallet } from '../createWallet.js'
import type { ContractCall } from '../send/types.js'
import type { VenueComparison } from './quoteVenues.js'

/** A priced ETH → VVV swap on one venue. */
export type SwapQuote = {
  route: 'uniswap-v3' | 'aerodrome'
  amountIn: bigint
  amountOut: bigint
  /** Uniswap V3 fee tier of the chosen pool (100, 500, 3000 or 10000). */
  fee?: number | undefined
  /** Aerodrome pool kind of the chosen pool. */
  stable?: boolean | undefined
  /** Every venue's price and gas, when the quote came from a comparison (what `--dry-run` shows). */
  comparison?: VenueComparison | undefined
}

/** One way to swap ETH for VVV: `best` compares every venue; a venue name restricts to that venue. */
export type SwapRoute = {
  name: 'best' | SwapQuote['route']
  /** Best output for exactly `amountIn` wei. @throws {NoRouteError} */
  quoteExactIn(wallet: Wallet, amountIn: bigint): Promise<SwapQuote>
  /** Least input for at least `amountOut` VVV. @throws {NoRouteError} */
  quoteExactOut(wallet: Wallet, amountOut: bigint): Promise<SwapQuote>
  /** The router call for a quote: ETH in (as `value`), VVV to the wallet, at least `amountOutMinimum`. */
  buildSwap(wallet: Wallet, parameters: { quote: SwapQuote; amountOutMinimum: bigint }): ContractCall
}
