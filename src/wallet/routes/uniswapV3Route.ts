import type { SwapRoute } from './types.js'
import { venueRoute } from './venueRoute.js'

export { UNISWAP_FEE_TIERS } from './venues.js'

/**
 * Uniswap V3 only: QuoterV2 over the four fee tiers in ONE request (Multicall3, failures allowed: a
 * missing pool just drops out), best tier net of gas; SwapRouter02 `exactInputSingle` with
 * `tokenIn = WETH` and `value = amountIn`.
 *
 * @example
 * ```ts
 * const quote = await uniswapV3Route.quoteExactIn(wallet, parseEther('0.01')) // { route: 'uniswap-v3', fee: 3000, amountOut, … }
 * ```
 */
export const uniswapV3Route: SwapRoute = venueRoute('uniswap-v3')
