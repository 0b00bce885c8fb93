import { NoRouteError } from '../errors.js'
import type { SwapQuote } from './types.js'

/**
 * Finds (close to the least) input `x` with `f(x) ≥ target`, for a monotonic, roughly linear or
 * concave `f` (an AMM quote, the DIEM curve). Secant steps from a probe, padded up by 1 bp when short.
 *
 * @returns the input and its output, or undefined when no input within `maxSteps` reaches the target.
 *
 * @example
 * ```ts
 * const { input } = (await solveInput((x) => getDiemAmountOut(x), parseEther('1'), parseEther('100')))!
 * ```
 */
export async function solveInput(
  f: (x: bigint) => Promise<bigint>,
  target: bigint,
  probe: bigint,
  maxSteps = 8,
): Promise<{ input: bigint; output: bigint } | undefined> {
  let x = probe
  let y = await f(x)
  let best: { input: bigint; output: bigint } | undefined = y >= target ? { input: x, output: y } : undefined
  for (let i = 0; i < maxSteps && y > 0n; i++) {
    if (y >= target && y - target <= target / 10_000n) return { input: x, output: y }
    let next = (x * target + y - 1n) / y
    if (y < target) next += next / 10_000n + 1n
    if (next === x) next += 1n
    x = next
    y = await f(x)
    if (y >= target && (!best || x < best.input)) best = { input: x, output: y }
  }
  return best
}

/**
 * Exact-output quoting for routes that only quote exact input (Aerodrome).
 *
 * @example
 * ```ts
 * const quote = await solveExactOut((x) => route.quoteExactIn(wallet, x), parseEther('10'), parseEther('0.001'))
 * ```
 */
export async function solveExactOut(quoteExactIn: (amountIn: bigint) => Promise<SwapQuote>, amountOut: bigint, probe: bigint): Promise<SwapQuote> {
  const quotes = new Map<bigint, SwapQuote>()
  const solved = await solveInput(
    async (x) => {
      const q = await quoteExactIn(x)
      quotes.set(x, q)
      return q.amountOut
    },
    amountOut,
    probe,
  )
  const quote = solved && quotes.get(solved.input)
  if (quote) return quote
  throw new NoRouteError(`Cannot find an input that buys ${amountOut} base units of VVV: the pool is too shallow.`, {
    metaMessages: ['Ask for a smaller amount.'],
    code: 'NO_ROUTE_DEPTH',
  })
}
