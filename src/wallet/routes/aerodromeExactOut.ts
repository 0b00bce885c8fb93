/**
 * Exact-output pricing for an Aerodrome volatile pool from ONE read round. Aerodrome has no exact-output
 * quoter, and stepping `getAmountsOut` towards a target costs a request per step. The volatile pool's
 * price is a closed formula of its reserves and its fee (`amountOut = x'·rOut / (rIn + x')`,
 * `x' = x − ⌊x·fee / 10 000⌋`), so one multicall reading the reserves and one probe quote is enough:
 * the fee is the one value in 0…MAX that reproduces the probe exactly, and the input is then solved
 * in closed form. Hand-written because no library prices Aerodrome pools offline.
 */

/** Input probed to recover the pool fee (0.001 ETH). */
export const FEE_PROBE_WEI = 10n ** 15n

/** Highest fee searched, in bps (the factory's MAX_FEE is 100 = 1 %; the margin costs nothing). */
const MAX_FEE_BPS = 1_000n

/**
 * The pool's own formula: VVV out for `amountIn` at reserves (rIn, rOut) and `feeBps`.
 *
 * @example
 * ```ts
 * volatileAmountOut(parseEther('1'), parseEther('5000'), parseEther('4900000'), 30n) // ≈ 976.9 VVV
 * ```
 */
export function volatileAmountOut(amountIn: bigint, rIn: bigint, rOut: bigint, feeBps: bigint): bigint {
  const net = amountIn - (amountIn * feeBps) / 10_000n
  return (net * rOut) / (rIn + net)
}

/**
 * The fee (bps) that makes the formula give `probeOut` for `FEE_PROBE_WEI`; the highest one when
 * several fit (pays a hair more rather than fall short), undefined when none does.
 *
 * @example
 * ```ts
 * recoverFee(volatileAmountOut(FEE_PROBE_WEI, rIn, rOut, 30n), rIn, rOut) // 30n
 * ```
 */
export function recoverFee(probeOut: bigint, rIn: bigint, rOut: bigint): bigint | undefined {
  for (let fee = MAX_FEE_BPS; fee >= 0n; fee--) if (volatileAmountOut(FEE_PROBE_WEI, rIn, rOut, fee) === probeOut) return fee
  return undefined
}

/**
 * Least input that buys at least `amountOut` from a volatile pool, or undefined when the pool cannot
 * (target at or beyond its reserve).
 *
 * @example
 * ```ts
 * const x = volatileAmountIn(parseEther('10'), rWeth, rVvv, 30n)!
 * volatileAmountOut(x, rWeth, rVvv, 30n) >= parseEther('10') // true, and x − 1 would not be
 * ```
 */
export function volatileAmountIn(amountOut: bigint, rIn: bigint, rOut: bigint, feeBps: bigint): bigint | undefined {
  if (amountOut <= 0n || amountOut >= rOut || feeBps >= 10_000n) return undefined
  // ⌊net·rOut / (rIn + net)⌋ ≥ T ⇔ net·(rOut − T) ≥ T·rIn.
  const net = (amountOut * rIn + (rOut - amountOut) - 1n) / (rOut - amountOut)
  let x = (net * 10_000n + (10_000n - feeBps) - 1n) / (10_000n - feeBps)
  while (x > 0n && x - 1n - ((x - 1n) * feeBps) / 10_000n >= net) x--
  while (x - (x * feeBps) / 10_000n < net) x++
  return x
}
