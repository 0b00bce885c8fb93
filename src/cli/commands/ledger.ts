import { join } from 'node:path'
import { defineCommand } from 'citty'
import { readLedger, summarize, type LedgerEntry, type LedgerSummary } from '../../agent/ledger.js'
import { readEnv } from '../../config/env.js'
import { CLIError } from '../CLIError.js'
import { jsonArg, printJson } from '../output.js'
import { formatNumber } from '../format.js'

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A `--since` value as a time (ms): an ISO date/time, or a duration back from `now` such as `30m`, `1h`, `7d`.
 *
 * @throws {CLIError} for anything else.
 *
 * @example
 * ```ts
 * parseSince('1h', Date.parse('2026-01-01T01:00:00Z')) // Date.parse('2026-01-01T00:00:00Z')
 * ```
 */
export function parseSince(value: string, now: number): number {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim())
  if (duration) return now - Number(duration[1]) * UNITS[duration[2]!]!
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(at)) throw new CLIError(`--since must be an ISO time (2026-01-31T12:00:00Z) or a duration (30m, 1h, 7d), got "${value}".`, { code: 'CLI_BAD_FLAG' })
  return at
}

/** The entries at or after `since` (all when undefined). */
export function entriesSince(entries: readonly LedgerEntry[], since: number | undefined): LedgerEntry[] {
  return since === undefined ? [...entries] : entries.filter((e) => Date.parse(e.ts) >= since)
}

/**
 * `gondola ledger [--since 1h|ISO]`: the spend ledger (`<stateDir>/ledger.jsonl`, one line per model call) and
 * its totals by agent and model. `--json` prints `{ path, since, entries, summary }` on one line.
 */
export default defineCommand({
  meta: { name: 'ledger', description: 'Show the spend ledger (one line per model call) and totals' },
  args: {
    since: { type: 'string', description: 'Only calls since an ISO time or a duration back (30m, 1h, 1d)' },
    ...jsonArg,
  },
  async run({ args }) {
    const env = readEnv()
    const path = join(env.GONDOLA_STATE_DIR, 'ledger.jsonl')
    const since = args.since === undefined ? undefined : parseSince(args.since, Date.now())
    const entries = entriesSince(await readLedger(path), since)
    const summary = summarize(entries)
    if (args.json) return printJson({ path, since: since === undefined ? null : new Date(since).toISOString(), entries, summary })
    const out = (l: string) => process.stdout.write(`${l}\n`)
    if (!entries.length) return out(`No model calls in ${path}${since === undefined ? '' : ` since ${new Date(since).toISOString()}`}.`)
    for (const e of entries) out(entryLine(e))
    for (const l of summaryLines(summary)) out(l)
  },
})

/** `2026-… treasurer qwen3-4b 120+30 tok 0.000010 Diem $0 balance 0.99→0.98 req abc123`. */
function entryLine(e: LedgerEntry): string {
  const b = (v: number | undefined) => (v === undefined ? '?' : formatNumber(v, { maxFraction: 7 }))
  const balance = e.balanceDiemBefore !== undefined ? ` balance ${b(e.balanceDiemBefore)}→${b(e.balanceDiemAfter)} Diem` : ''
  return `${e.ts}  ${e.agent.padEnd(14)} ${e.model.padEnd(24)} ${`${e.promptTokens}+${e.completionTokens}`.padStart(9)} tok  ${six(e.costDiem)} Diem  $${six(e.costUsd)}${balance}${e.requestId ? `  req ${e.requestId}` : ''}`
}

/** Six fraction digits, aligned in columns. */
const six = (n: number) => formatNumber(n, { minFraction: 6 })

function summaryLines(s: LedgerSummary): string[] {
  const rows = (title: string, map: LedgerSummary['byAgent']) => [`by ${title}:`, ...Object.entries(map).map(([k, v]) => `  ${k.padEnd(24)} ${String(v.calls).padStart(5)} calls  ${six(v.costDiem)} Diem  $${six(v.costUsd)}`)]
  return [`total: ${s.calls} calls, ${s.promptTokens} in / ${s.completionTokens} out tokens, ${six(s.costDiem)} Diem + $${six(s.costUsd)}`, ...rows('agent', s.byAgent), ...rows('model', s.byModel)]
}
