/**
 * An agent's measured usage in Diem per day, from the spend ledger (`<stateDir>/ledger.jsonl`, one line per
 * model call with its price): the compute spent over the last `days` days, per day, in Diem (1 Diem = $1 of compute,
 * so a call's USD part — a key's balance run past its Diem, or x402 credits — counts as much as its Diem part). A ledger younger than the
 * window is averaged over its own age (at least one day), so a first hour of calls is not read as a daily rate
 * 24 times too high.
 */
import { parseEther } from 'viem'
import type { LedgerEntry } from '../agent/ledger.js'
import { DAY_MS } from './measure.js'

export type MeasuredUsage = {
  /** Diem per day (base units). */
  diemPerDay: bigint
  /** Calls counted and the days they were averaged over. */
  calls: number
  days: number
}

/**
 * @example
 * ```ts
 * usageFromLedger(await readLedger('.gondola/ledger.jsonl'), { now: Date.now(), days: 7 }) // { diemPerDay: 2000000000000000000n, calls: 412, days: 7 }
 * ```
 */
export function usageFromLedger(entries: Iterable<LedgerEntry>, o: { now: number; days: number; agent?: string | undefined }): MeasuredUsage {
  const since = o.now - o.days * DAY_MS
  let spent = 0
  let calls = 0
  let first = o.now
  for (const e of entries) {
    const t = Date.parse(e.ts)
    if (!(t >= since && t <= o.now) || (o.agent !== undefined && e.agent !== o.agent)) continue
    spent += e.costDiem + e.costUsd
    calls++
    if (t < first) first = t
  }
  const days = Math.max(1, Math.min(o.days, (o.now - first) / DAY_MS))
  return { diemPerDay: parseEther((spent / days).toFixed(18)), calls, days }
}
