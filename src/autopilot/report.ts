/**
 * The daily view of the history: one row per epoch (UTC day) with the allowance, the Diem spent, the
 * utilisation, what the autopilot did and spent, and the runway.
 */
import type { HistoryEntry } from './history.js'

export type DailyRow = {
  /** The epoch's UTC date, YYYY-MM-DD. */
  day: string
  target: number
  /** Diem allocation that day (Venice's, else the stake's projection). */
  allowance: number
  /** Diem spent that day (the largest of what passes saw that day and the next day's ledger total), or null. */
  spend: number | null
  utilisation: number | null
  /** Spendable Diem/day after the day's last pass. */
  projectedAfter: number
  actions: number
  ethSpent: number
  runwayHours: number | null
  reached: boolean
}

/**
 * @example
 * ```ts
 * const rows = dailyReport(await readHistory(store.historyPath))
 * ```
 */
export function dailyReport(entries: readonly HistoryEntry[]): DailyRow[] {
  const byDay = new Map<string, HistoryEntry[]>()
  for (const e of entries.filter((x) => x.mode === 'run')) {
    const day = e.epochStart.slice(0, 10)
    byDay.set(day, [...(byDay.get(day) ?? []), e])
  }
  const days = [...byDay.keys()].sort()
  return days.map((day) => {
    const list = byDay.get(day)!
    const last = list.at(-1)!
    const next = byDay.get(nextDay(day))
    const allowances = list.flatMap((e) => [e.allowance, e.allowanceAfterPass ?? null]).filter((v): v is number => v !== null)
    const allowance = allowances.length ? Math.max(...allowances) : last.projectedBefore
    const seen = [...list.map((e) => e.spent), ...(next ?? []).map((e) => e.spentPrevEpoch)].filter((v): v is number => v !== null)
    const spend = seen.length ? Math.max(...seen) : null
    return {
      day,
      target: last.target,
      allowance: r(allowance),
      spend: spend === null ? null : r(spend),
      utilisation: spend !== null && allowance > 0 ? r(spend / allowance) : null,
      projectedAfter: last.projectedAfter,
      actions: list.reduce((s, e) => s + e.actions.length, 0),
      ethSpent: r(list.reduce((s, e) => s + Number(e.ethSpent), 0)),
      runwayHours: last.runwayHours,
      reached: last.reached,
    }
  })
}

/**
 * A fixed-width text table of the daily rows.
 *
 * @example
 * ```ts
 * process.stdout.write(dailyTable(dailyReport(entries)))
 * ```
 */
export function dailyTable(rows: readonly DailyRow[]): string {
  const head = ['day', 'target', 'allowance', 'spend', 'util.', 'after pass', 'actions', 'ETH spent', 'runway']
  const body = rows.map((x) => [
    x.day,
    fmt(x.target),
    fmt(x.allowance),
    x.spend === null ? '—' : fmt(x.spend),
    x.utilisation === null ? '—' : `${Math.round(x.utilisation * 100)} %`,
    `${fmt(x.projectedAfter)}${x.reached ? '' : ' (short)'}`,
    String(x.actions),
    fmt(x.ethSpent),
    x.runwayHours === null ? 'sustainable' : `${fmt(x.runwayHours)} h`,
  ])
  const all = [head, ...body]
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)))
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line), ''].join('\n')
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

const r = (n: number) => Math.round(n * 1e6) / 1e6
const fmt = (n: number) => String(Math.round(n * 1e4) / 1e4)
