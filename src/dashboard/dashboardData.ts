import { readFile } from 'node:fs/promises'
import type { LedgerEntry } from '../agent/ledger.js'
import { readHistory } from '../autopilot/history.js'
import { dailyReport } from '../autopilot/report.js'
import { withInterruptedPasses } from '../autopilot/recover.js'
import type { JournalRun } from '../wallet/journal/journal.js'
import { readRunRecords, type RunRecord } from '../host/runHistory.js'

/** One point of a key's balance/burn series (from the ledger). */
export type KeyPoint = { ts: string; balanceDiem: number | null; spentDiem: number }

/**
 * The dashboard's charts and tables, from the files a state dir holds: the ledger (balance and burn per key, spend
 * per day per agent), the run history (runs and tool errors per agent), the wallet journal (top-ups and transactions,
 * unfinished ones included), and the autopilot history when there is one.
 *
 * @example
 * ```ts
 * const data = await dashboardData({ entries, runsPath: '.gondola/runs.jsonl', journalPath: wallet.journal.path })
 * ```
 */
export async function dashboardData(p: { entries: readonly LedgerEntry[]; runsPath: string; journalPath: string; autopilotHistoryPath?: string | undefined }) {
  // The autopilot's history as its daily rows (day, allowance, spend, utilisation, actions, ETH, runway).
  // A pass cut short before it wrote its history line is rebuilt from the wallet journal (every tx counted).
  const autopilotRows = async (path: string) => dailyReport(withInterruptedPasses(await readHistory(path), await readJournalFile(p.journalPath)))
  const [runs, journal, autopilot] = await Promise.all([
    readRunRecords(p.runsPath),
    readJournalRuns(p.journalPath),
    p.autopilotHistoryPath ? autopilotRows(p.autopilotHistoryPath) : [],
  ])
  return { keys: keySeries(p.entries), spendPerDay: spendPerDay(p.entries), agents: agentTable(p.entries, runs), journal, autopilot }
}

/** Per key (redacted hint): balance after each call and cumulative spend. */
export function keySeries(entries: readonly LedgerEntry[]): Record<string, KeyPoint[]> {
  const out: Record<string, KeyPoint[]> = {}
  const spent: Record<string, number> = {}
  for (const e of entries) {
    const k = e.key ?? e.agent
    spent[k] = (spent[k] ?? 0) + e.costDiem + e.costUsd
    ;(out[k] ??= []).push({ ts: e.ts, balanceDiem: e.balanceDiemAfter ?? null, spentDiem: round(spent[k]!) })
  }
  return out
}

/** Diem (+ USD at 1:1) spent per UTC day per agent: `{ days, agents: { name: [perDay…] } }`. */
export function spendPerDay(entries: readonly LedgerEntry[]): { days: string[]; agents: Record<string, number[]> } {
  const days = [...new Set(entries.map((e) => e.ts.slice(0, 10)))].sort()
  const agents: Record<string, number[]> = {}
  for (const e of entries) {
    const row = (agents[e.agent] ??= days.map(() => 0))
    const i = days.indexOf(e.ts.slice(0, 10))
    row[i] = round(row[i]! + e.costDiem + e.costUsd)
  }
  return { days, agents }
}

/** Per agent: calls and spend (ledger), runs and tool errors (run history). */
export function agentTable(entries: readonly LedgerEntry[], runs: readonly RunRecord[]) {
  const rows: Record<string, { agent: string; calls: number; spentDiem: number; runs: number; toolErrors: number; lastStatus: string | null }> = {}
  const row = (agent: string) => (rows[agent] ??= { agent, calls: 0, spentDiem: 0, runs: 0, toolErrors: 0, lastStatus: null })
  for (const e of entries) {
    const r = row(e.agent)
    r.calls++
    r.spentDiem = round(r.spentDiem + e.costDiem + e.costUsd)
  }
  for (const run of runs) {
    const r = row(run.agent)
    r.runs++
    r.toolErrors += run.toolErrors
    r.lastStatus = run.status
  }
  return Object.values(rows)
}

/** The journal file's runs as written (a missing or unreadable file: none). */
async function readJournalFile(path: string): Promise<JournalRun[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  try {
    return text ? ((JSON.parse(text) as { runs?: JournalRun[] }).runs ?? []) : []
  } catch {
    return []
  }
}

/** The wallet journal's runs, newest first, with their steps (hash, status) — unfinished ones marked. */
async function readJournalRuns(path: string) {
  const text = await readFile(path, 'utf8').catch(() => '')
  if (!text) return []
  try {
    const file = JSON.parse(text) as {
      runs?: {
        key: string
        intent: string
        status: string
        createdAt: string
        updatedAt: string
        steps: { name: string; label: string; hash: string; status: string; gasUsed?: string }[]
      }[]
    }
    return (file.runs ?? [])
      .map((r) => ({
        intent: r.intent,
        status: r.status,
        unfinished: r.status !== 'done',
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        steps: r.steps.map((s) => ({ name: s.name, label: s.label, hash: s.hash, status: s.status, gasUsed: s.gasUsed ?? null })),
      }))
      .reverse()
  } catch {
    return []
  }
}

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9
}
