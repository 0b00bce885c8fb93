import { burnPerHour } from './burnRate.js'
import type { SpendEntry } from './spendEntry.js'

/**
 * The burn of some ledger lines over the window ending `now`: their Diem + USD (1 Diem = $1 of compute) spent in
 * `[now - windowMs, now]`, as `burnPerHour` rates it, and how many calls that was. Entries are in time order.
 *
 * @example
 * ```ts
 * windowBurn(entries.filter((e) => e.agent === 'treasurer'), { now: Date.now(), windowMs: 86_400_000 }) // { burnPerHour: 0.0015, calls: 3 }
 * ```
 */
export function windowBurn(entries: readonly SpendEntry[], o: { now: number; windowMs: number }): { burnPerHour: number; calls: number } {
  const since = o.now - o.windowMs
  let spent = 0
  let calls = 0
  let firstSpendAt: number | undefined
  for (const e of entries) {
    const at = Date.parse(e.ts)
    if (at < since) continue
    firstSpendAt ??= at
    spent += e.costDiem + e.costUsd
    calls++
  }
  return { burnPerHour: burnPerHour({ spent, firstSpendAt, now: o.now, windowMs: o.windowMs }), calls }
}
