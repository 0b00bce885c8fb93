import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import type { Hex } from 'viem'
import type { BalanceSnapshot } from '../agent/balanceMonitor.js'
import type { LedgerEntry } from '../agent/ledger.js'
import type { RunResult } from '../agent/runAgent.js'
import type { LocalWorld } from '@gondola/devnet'
import type { AgentHost, HostEvent } from '../host/createAgentHost.js'
import type { KeyStore, KeySummary } from '../keys/KeyStore.js'
import type { Wallet } from '../wallet/createWallet.js'
import { formatShort } from '../wallet/amounts.js'
import type { Reporter } from './reporter.js'

/** A transaction the demo sent, for the summary. */
export type SentTx = { hash: Hex; label: string }

/** What `npm start` ends with (printed as text, or as the `--json` document). */
export type DemoSummary = {
  wallet: string
  seconds: number
  transactions: { count: number; gasUsed: string; byPhase: Record<string, number> }
  calls: { count: number; diemTotal: number; diemPerCall: { min: number; avg: number; max: number } }
  topUps: { reason: string; ethIn: string; diemStaked: string; tx: number }[]
  keys: Pick<KeySummary, 'id' | 'apiKeyType' | 'agent' | 'consumptionLimit' | 'limitPeriod' | 'expiresAt' | 'redacted'>[]
  runway: { spendableDiem: number | null; burnPerHour: number; runwayHours: number | null }
  /** What the steps recorded on the way (world URLs and addresses, provisioning transactions). */
  details: Record<string, unknown>
}

const short = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const diem = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(6))

/** Prints one agent run: its tool calls and results, the answer, and what each call cost. */
export function printRun(report: Reporter, n: number, result: RunResult, calls: readonly LedgerEntry[], s: BalanceSnapshot): void {
  for (const m of result.messages) printMessage(report, m)
  const cost = calls.map((c) => c.costDiem + c.costUsd)
  report.line(
    `   run ${n}: ${result.status}, ${calls.length} calls, ${cost.map((c) => c.toFixed(6)).join(' + ')} Diem · balance ${diem(s.spendable)} · burn ${s.burnPerHour.toFixed(4)}/h · runway ${Number.isFinite(s.runwayHours) ? `${(s.runwayHours * 60).toFixed(1)} min` : '∞'}`,
  )
}

function printMessage(report: Reporter, m: ChatCompletionMessageParam): void {
  if (m.role === 'assistant' && 'tool_calls' in m && m.tool_calls?.length) {
    for (const c of m.tool_calls) if (c.type === 'function') report.line(`→ ${c.function.name}(${c.function.arguments === '{}' ? '' : c.function.arguments})`)
  } else if (m.role === 'tool') report.line(`← ${short(String(m.content))}`)
  else if (m.role === 'assistant' && typeof m.content === 'string' && m.content) report.line(`💬 ${short(m.content, 110)}`)
}

/** Gathers the summary (transactions and gas, Diem per call, keys and limits, runway) and prints it. */
export async function summarize(p: {
  report: Reporter
  world: LocalWorld
  wallet: Wallet
  store: KeyStore
  host: AgentHost
  events: HostEvent[]
  sent: SentTx[]
  ms: number
}): Promise<DemoSummary> {
  const receipts = await Promise.all(p.sent.map((t) => p.world.devnet.publicClient.getTransactionReceipt({ hash: t.hash })))
  const byPhase: Record<string, number> = {}
  for (const t of p.sent) byPhase[t.label] = (byPhase[t.label] ?? 0) + 1
  const costs = p.host.ledger.entries().map((e) => e.costDiem + e.costUsd)
  const total = costs.reduce((a, b) => a + b, 0)
  const s = p.host.runner.key('treasurer')!.monitor.snapshot()
  const summary: DemoSummary = {
    wallet: p.wallet.address,
    seconds: Math.round(p.ms / 100) / 10,
    transactions: { count: receipts.length, gasUsed: receipts.reduce((a, r) => a + r.gasUsed, 0n).toString(), byPhase },
    calls: { count: costs.length, diemTotal: total, diemPerCall: { min: Math.min(...costs), avg: total / Math.max(1, costs.length), max: Math.max(...costs) } },
    topUps: p.events.flatMap((e) =>
      e.type === 'topUp'
        ? [{ reason: e.reason, ethIn: formatShort(e.result.ethIn, 6), diemStaked: formatShort(e.result.diemStaked, 6), tx: e.result.hashes.length }]
        : [],
    ),
    keys: p.store.summaries().map(({ id, apiKeyType, agent, consumptionLimit, limitPeriod, expiresAt, redacted }) => ({
      id,
      apiKeyType,
      agent,
      consumptionLimit,
      limitPeriod,
      expiresAt,
      redacted,
    })),
    runway: { spendableDiem: s.spendable ?? null, burnPerHour: s.burnPerHour, runwayHours: Number.isFinite(s.runwayHours) ? s.runwayHours : null },
    details: p.report.data(),
  }
  printSummary(p.report, summary)
  return summary
}

function printSummary(report: Reporter, s: DemoSummary): void {
  report.line(
    `transactions  ${s.transactions.count} (${Object.entries(s.transactions.byPhase)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}), ${s.transactions.gasUsed} gas`,
  )
  report.line(
    `model calls   ${s.calls.count}, ${s.calls.diemTotal.toFixed(6)} Diem in all; per call min ${s.calls.diemPerCall.min.toFixed(6)} / avg ${s.calls.diemPerCall.avg.toFixed(6)} / max ${s.calls.diemPerCall.max.toFixed(6)}`,
  )
  for (const t of s.topUps) report.line(`top-up        ${t.reason}: ${t.ethIn} ETH → ${t.diemStaked} DIEM staked (${t.tx} tx)`)
  for (const k of s.keys)
    report.line(
      `key           ${k.apiKeyType.padEnd(9)} ${k.redacted} ${k.apiKeyType === 'INFERENCE' ? `${k.consumptionLimit.diem} Diem/${k.limitPeriod} (${k.agent})` : 'unlimited, host only'}`,
    )
  report.line(
    `runway        ${s.runway.spendableDiem?.toFixed(6) ?? '?'} Diem spendable at ${s.runway.burnPerHour.toFixed(4)} Diem/h → ${s.runway.runwayHours === null ? '∞' : `${(s.runway.runwayHours * 60).toFixed(1)} min`}`,
  )
  report.line(`done in ${s.seconds} s; every process stopped.`)
}
