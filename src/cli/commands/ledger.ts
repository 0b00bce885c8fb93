import { defineCommand } from 'citty'
import { ledgerPathIn, readLedger, summarize, type LedgerEntry, type LedgerSummary } from '../../agent/ledger.js'
import { readEnv } from '../../config/env.js'
import { sinceFlag } from '../flags.js'
import { jsonArg, printJson } from '../output.js'
import { formatNumber } from '../format.js'

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
    const since = args.since === undefined ? undefined : sinceFlag(args.since, '--since', Date.now())
    const env = readEnv()
    const path = ledgerPathIn(env.GONDOLA_STATE_DIR)
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
  const rows = (title: string, map: LedgerSummary['byAgent']) => [
    `by ${title}:`,
    ...Object.entries(map).map(([k, v]) => `  ${k.padEnd(24)} ${String(v.calls).padStart(5)} calls  ${six(v.costDiem)} Diem  $${six(v.costUsd)}`),
  ]
  return [
    `total: ${s.calls} calls, ${s.promptTokens} in / ${s.completionTokens} out tokens, ${six(s.costDiem)} Diem + $${six(s.costUsd)}`,
    ...rows('agent', s.byAgent),
    ...rows('model', s.byModel),
  ]
}
