import { NoRouteError } from '../errors.js'
import type { Wallet } from '../createWallet.js'
import { aerodromeRouterAbi } from './aerodromeRouterAbi.js'
import { solveExactOut } from './solveExactOut.js'
import type { SwapQuote, SwapRoute } from './types.js'

/** Swap deadline given to the Aerodrome router. */
export const AERODROME_DEADLINE_SECONDS = 1_200

/** The one-hop WETH → VVV route on Aerodrome (volatile or stable pool of the default factory). */
export function aerodromeHop(wallet: Wallet, stable: boolean): { from: `0x${string}`; to: `0x${string}`; stable: boolean; factory: `0x${string}` } {
  const { weth, vvv, aerodromeFactory } = wallet.addresses
  if (!aerodromeFactory || !wallet.addresses.aerodromeRouter) throw noAerodrome(wallet)
  return { from: weth, to: vvv, stable, factory: aerodromeFactory }
}

/**
 * Aerodrome (Base mainnet, where the main VVV liquidity is): `getAmountsOut` on the volatile and
 * stable WETH/VVV pools in one Multicall3 request, best wins; `swapExactETHForTokens` with a
 * deadline. No exact-output quoter: `quoteExactOut` solves it with exact-input quotes.
 *
 * @example
 * ```ts
 * const wallet = await createWallet({ ..., route: aerodromeRoute })
 * await swapEthForVvv(wallet, { amountIn: parseEther('0.01') })
 * ```
 */
export const aerodromeRoute: SwapRoute = {
  name: 'aerodrome',
  async quoteExactIn(wallet, amountIn) {
    const router = wallet.addresses.aerodromeRouter
    if (!router) throw noAerodrome(wallet)
    const kinds = [false, true]
    const results = await wallet.publicClient.multicall({
      contracts: kinds.map((stable) => ({ address: router, abi: aerodromeRouterAbi, functionName: 'getAmountsOut', args: [amountIn, [aerodromeHop(wallet, stable)]] }) as const),
      allowFailure: true,
      multicallAddress: wallet.addresses.multicall3,
    })
    let best: SwapQuote | undefined
    results.forEach((r, i) => {
      const out = r.status === 'success' ? (r.result as readonly bigint[])[1] : undefined
      if (out && out > 0n && (!best || out > best.amountOut)) best = { route: 'aerodrome', amountIn, amountOut: out, stable: kinds[i] }
    })
    if (!best) throw new NoRouteError('No Aerodrome WETH/VVV pool with liquidity.', { metaMessages: ['Use the Uniswap V3 route instead.'], code: 'NO_ROUTE' })
    return best
  },
  quoteExactOut(wallet, amountOut) {
    return solveExactOut((x) => aerodromeRoute.quoteExactIn(wallet, x), amountOut, 10n ** 15n)
  },
  buildSwap(wallet, { quote, amountOutMinimum }) {
    const router = wallet.addresses.aerodromeRouter
    if (!router) throw noAerodrome(wallet)
    const deadline = BigInt(Math.floor(wallet.now().getTime() / 1000) + AERODROME_DEADLINE_SECONDS)
    return {
      label: `swap ETH → VVV (Aerodrome, ${quote.stable ? 'stable' : 'volatile'} pool)`,
      to: router,
      abi: aerodromeRouterAbi,
      functionName: 'swapExactETHForTokens',
      args: [amountOutMinimum, [aerodromeHop(wallet, quote.stable ?? false)], wallet.address, deadline],
      value: quote.amountIn,
    }
  },
}

function noAerodrome(wallet: Wallet): NoRouteError {
  return new NoRouteError(`Aerodrome is not in the ${wallet.addresses.network} address book.`, { metaMessages: ['Use the Uniswap V3 route on this network.'], code: 'NO_ROUTE' })
}
