import { quoteVenues } from './quoteVenues.js'
import type { SwapQuote, SwapRoute } from './types.js'
import { buildVenueSwap, type VenueName } from './venues.js'

/**
 * A swap route over the venues: `best` compares Uniswap V3 (every fee tier) and Aerodrome (volatile and
 * stable) in one request and takes the best net of gas; a venue name quotes and swaps on that venue only.
 * Every quote carries the whole comparison.
 *
 * @example
 * ```ts
 * const wallet = await createWallet({ ..., route: venueRoute('aerodrome') })
 * await swapEthForVvv(wallet, { amountIn: parseEther('0.01') }) // through the Aerodrome router
 * ```
 */
export function venueRoute(name: 'best' | VenueName): SwapRoute {
  const venues = name === 'best' ? undefined : [name]
  const chosen = (c: Awaited<ReturnType<typeof quoteVenues>>): SwapQuote => ({
    route: c.best.route,
    ...(c.token && { token: c.token }),
    fee: c.best.fee,
    stable: c.best.stable,
    amountIn: c.best.amountIn,
    amountOut: c.best.amountOut,
    comparison: c,
  })
  return {
    name,
    quoteExactIn: async (wallet, amountIn, options) => chosen(await quoteVenues(wallet, { amountIn }, { venues, token: options?.token })),
    quoteExactOut: async (wallet, amountOut, options) => chosen(await quoteVenues(wallet, { amountOut }, { venues, token: options?.token })),
    buildSwap: (wallet, { quote, amountOutMinimum }) => buildVenueSwap(wallet, quote, amountOutMinimum),
  }
}

/** The default route: every venue, best output net of gas. */
export const bestRoute: SwapRoute = venueRoute('best')
