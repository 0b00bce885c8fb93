/**
 * The least input whose (monotone, possibly stepped) output reaches a target, by doubling then bisection.
 * Hand-written instead of the wallet's secant `solveInput` because allowance gains jump (the staked-DIEM rule
 * turns a whole pool share on at once), where a secant step misfires.
 */
export async function solveMonotone(
  f: (x: bigint) => Promise<bigint>,
  target: bigint,
  o: { probe: bigint; max?: bigint | undefined; steps?: number | undefined },
): Promise<bigint | undefined> {
  if (target <= 0n) return 0n
  let lo = 0n
  let hi = o.probe > 0n ? o.probe : 1n
  if (o.max !== undefined && hi > o.max) hi = o.max
  for (let i = 0; (await f(hi)) < target; i++) {
    if (o.max !== undefined && hi >= o.max) return undefined
    if (i >= 60) return undefined
    lo = hi
    hi *= 2n
    if (o.max !== undefined && hi > o.max) hi = o.max
  }
  // Bisection to 1/100 000 of hi (or the given number of steps).
  for (let i = 0; i < (o.steps ?? 40) && hi - lo > hi / 100_000n + 1n; i++) {
    const mid = (lo + hi) / 2n
    if ((await f(mid)) >= target) hi = mid
    else lo = mid
  }
  return hi
}
