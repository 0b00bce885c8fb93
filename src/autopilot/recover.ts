/**
 * Passes the history never heard of. A pass writes its history line when it ends; a pass killed mid-plan (a
 * forced exit, SIGKILL, a crash) writes none, yet what it sent is in the wallet journal under the pass's key
 * (`autopilot:<ms>-<id>:<step>:<part>`). These functions rebuild such a pass from the journal, so the report
 * counts every transaction an autopilot sent, and the next pass records it for good.
 */
import { formatEther } from 'viem'
import type { JournalRun } from '../wallet/journal/journal.js'
import { DAY_MS } from './measure.js'
import type { HistoryEntry } from './history.js'

/** The journal key prefix of every autopilot pass's transactions. */
export const PASS_KEY_PREFIX = 'autopilot:'

/**
 * The journal key of a pass's transactions, from its start time (ms).
 *
 * @example
 * ```ts
 * passKey(1764547500000) // 'autopilot:1764547500000-a1b2c3'
 * ```
 */
export function passKey(at: number, id: string): string {
  return `${PASS_KEY_PREFIX}${at}-${id}`
}

/**
 * One history entry per autopilot pass whose sent transactions (confirmed or still signed) appear in no history
 * line: its actions are the journal's runs, its ETH the value they carried (gas is not journaled: 0).
 *
 * @example
 * ```ts
 * const entries = await readHistory(store.historyPath)
 * const all = withInterruptedPasses(entries, wallet.journal.runs())
 * ```
 */
export function interruptedPasses(entries: readonly HistoryEntry[], runs: readonly JournalRun[]): HistoryEntry[] {
  const recorded = new Set(entries.flatMap((e) => e.hashes.map((h) => h.toLowerCase())))
  const byPass = new Map<string, JournalRun[]>()
  for (const run of runs) {
    const pass = passOf(run.key)
    if (pass) byPass.set(pass.key, [...(byPass.get(pass.key) ?? []), run])
  }
  const out: HistoryEntry[] = []
  for (const [key, passRuns] of byPass) {
    const sent = passRuns.flatMap((r) => r.steps.filter((s) => s.status === 'confirmed' || s.status === 'signed').map((s) => ({ run: r, step: s })))
    if (!sent.length || sent.some((x) => recorded.has(x.step.hash.toLowerCase()))) continue
    const at = passOf(key)!.at
    const before = [...entries].filter((e) => Date.parse(e.at) <= at).at(-1)
    const value = sent.reduce((s, x) => s + BigInt(x.step.value), 0n)
    const actions = passRuns.filter((r) => r.steps.some((s) => s.status === 'confirmed' || s.status === 'signed'))
    out.push({
      v: 1,
      at: new Date(at).toISOString(),
      epochStart: new Date(Math.floor(at / DAY_MS) * DAY_MS).toISOString(),
      mode: 'run',
      target: before?.target ?? 0,
      allowance: null,
      allowanceAfterPass: null,
      spent: null,
      spentPrevEpoch: null,
      utilisation: null,
      projectedBefore: before?.projectedAfter ?? 0,
      projectedAfter: before?.projectedAfter ?? 0,
      reached: false,
      actions: actions.map((r) => {
        const v = r.steps.filter((s) => s.status === 'confirmed' || s.status === 'signed').reduce((s, x) => s + BigInt(x.value), 0n)
        return { action: r.intent.split(':')[0] ?? r.intent, amount: formatEther(v), unit: 'ETH', diemPerDay: 0, ethSpent: formatEther(v), gasEth: '0' }
      }),
      ethSpent: formatEther(value),
      hashes: sent.map((x) => x.step.hash),
      runwayHours: null,
      message: `Pass cut short before it was recorded: ${sent.length} tx recovered from the wallet journal.`,
    })
  }
  return out
}

/**
 * The history with the interrupted passes put in their place (ordered by time).
 *
 * @example
 * ```ts
 * const rows = dailyReport(withInterruptedPasses(await readHistory(store.historyPath), wallet.journal.runs()))
 * ```
 */
export function withInterruptedPasses(entries: readonly HistoryEntry[], runs: readonly JournalRun[]): HistoryEntry[] {
  const extra = interruptedPasses(entries, runs)
  if (!extra.length) return [...entries]
  return [...entries, ...extra].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
}

function passOf(key: string): { key: string; at: number } | undefined {
  const m = /^autopilot:(\d{10,16})-[0-9a-f]+(?=:|$)/.exec(key)
  return m ? { key: m[0], at: Number(m[1]) } : undefined
}
