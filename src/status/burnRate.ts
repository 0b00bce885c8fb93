import { HOUR_MS } from './figures.js'

/** Inputs of `burnPerHour`. */
export type BurnRateParameters = {
  /** Diem (+ USD at 1:1) spent in the window. */
  spent: number
  /** When the first spend still in the window happened (ms); `undefined` when there was none. */
  firstSpendAt: number | undefined
  now: number
  /** How far back spend counts (ms). */
  windowMs: number
}

/**
 * The burn rate (Diem per hour): what was spent in the window, over the time since its first spend in the window.
 * That span counts as at least one hour (or the whole window when it is shorter), so a single call does not read
 * as a torrent: one 0.001 Diem call is 0.001 Diem/h, not 0.06 Diem/h because it happened a minute ago.
 *
 * @example
 * ```ts
 * burnPerHour({ spent: 0.003, firstSpendAt: now - 600_000, now, windowMs: 86_400_000 }) // 0.003 (10 min → 1 h)
 * burnPerHour({ spent: 0.6, firstSpendAt: now - 2 * 3_600_000, now, windowMs: 86_400_000 }) // 0.3
 * ```
 */
export function burnPerHour(p: BurnRateParameters): number {
  if (!(p.spent > 0) || p.firstSpendAt === undefined) return 0
  const span = Math.max(p.now - p.firstSpendAt, Math.min(p.windowMs, HOUR_MS))
  return p.spent / (span / HOUR_MS)
}
