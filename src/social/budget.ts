import { readLedger, type LedgerEntry } from '../agent/ledger.js'

/**
 * The start (ms) of the UTC day holding `now`. The social bot's day is the UTC day, which is also Venice's Diem
 * epoch (staked Diem resets at 00:00 UTC), so "the day's budget" and "the day's Diem" start together.
 *
 * @example
 * ```ts
 * utcDayStart(Date.parse('2026-11-30T17:05:00Z')) // Date.parse('2026-11-30T00:00:00Z')
 * ```
 */
export function utcDayStart(now: number): number {
  return Math.floor(now / 86_400_000) * 86_400_000
}

/**
 * What `agent` spent (Diem + USD, in Diem-equivalent: 1 Diem = $1 of compute) since 00:00 UTC, read back from the
 * spend ledger file, so the count survives restarts and is shared by every process writing that ledger.
 *
 * @example
 * ```ts
 * const spent = await spentToday('.gondola/ledger.jsonl', 'social-bot', Date.now())
 * ```
 */
export async function spentToday(ledgerPath: string, agent: string, now: number): Promise<number> {
  return spentTodayIn(await readLedger(ledgerPath), agent, now)
}

/**
 * `spentToday` over ledger entries already in hand (an in-memory ledger).
 *
 * @example
 * ```ts
 * spentTodayIn(host.ledger.entries(), 'social-bot', Date.now())
 * ```
 */
export function spentTodayIn(entries: readonly LedgerEntry[], agent: string, now: number): number {
  const since = utcDayStart(now)
  let total = 0
  for (const e of entries) if (e.agent === agent && Date.parse(e.ts) >= since) total += e.costDiem + e.costUsd
  return total
}
