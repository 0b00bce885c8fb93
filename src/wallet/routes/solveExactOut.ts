import { NoRouteError } from '../errors.js'
import type { SwapQuote } from './types.js'

/**
 * Finds (approximately the least) input whose exact-input quote yields at least `amountOut`,
 * for routes without an exact-output quoter (Aerodrome). Secant steps from a probe, then
 * a small upward pad until the quote covers the target. Output is monotonic in input.
 *
 * @example
 * ```ts
 * const quote = await solveExactOut((x) => route.quoteExactIn(wallet, x), parseEther('10'), parseEther('0.001'))
 * ```
 */
export async function solveExactOut(quoteExactIn: (amountIn: bigint) => Promise<SwapQuote>, amountOut: bigint, probe: bigint, maxSteps = 8): Promise<SwapQuote> {
  let q = await quoteExactIn(probe)
  for (let i = 0; i < maxSteps; i++) {
    if (q.amountOut === 0n) break
    if (q.amountOut >= amountOut && q.amountOut - amountOut <= amountOut / 10_000n) return q
    // Scale the input by the output ratio, rounding up; concave curves undershoot, so pad 1 bp when short.
    let next = (q.amountIn * amountOut + q.amountOut - 1n) / q.amountOut
    if (q.amountOut < amountOut) next += next / 10_000n + 1n
    if (next === q.amountIn) next += 1n
    const nq = await quoteExactIn(next)
    if (nq.amountOut >= amountOut && q.amountOut >= amountOut && nq.amountIn > q.amountIn) return q
    q = nq
  }
  if (q.amountOut >= amountOut) return q
  throw new NoRouteError(`Cannot find an input that buys ${amountOut} base units of VVV: the pool is too shallow.`, { metaMessages: ['Ask for a smaller amount.'], code: 'NO_ROUTE_DEPTH' })
}
