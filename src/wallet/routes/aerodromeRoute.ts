import type { SwapRoute } from './types.js'
import { venueRoute } from './venueRoute.js'

export { AERODROME_DEADLINE_SECONDS, aerodromeHop } from './venues.js'

/**
 * Aerodrome only (Base mainnet, where the main VVV liquidity is; the devnet runs a compatible pool,
 * factory and router at the same addresses): `getAmountsOut` on the volatile and stable WETH/VVV pools
 * in one Multicall3 request, best net of gas; `swapExactETHForTokens` with a deadline. Exact output is
 * solved from the volatile pool's reserves (no exact-output quoter exists).
 *
 * @example
 * ```ts
 * const wallet = await createWallet({ ..., route: aerodromeRoute })
 * await swapEthForVvv(wallet, { amountIn: parseEther('0.01') })
 * ```
 */
export const aerodromeRoute: SwapRoute = venueRoute('aerodrome')
