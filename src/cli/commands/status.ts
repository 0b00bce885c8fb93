import { defineCommand } from 'citty'
import type { LedgerEntry } from '../../agent/ledger.js'
import { readEnv } from '../../config/env.js'
import type { KeySummary } from '../../keys/KeyStore.js'
import type { ApiKey, RateLimits } from '../../venice/schemas.js'
import { openWallet } from '../../runtime/openWallet.js'
import { paidFor } from '../../wallet/send/withRun.js'
import type { JournalRun } from '../../wallet/journal/journal.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { jsonArg, printJson } from '../output.js'
import { presentable, fmt } from '../walletCommand.js'
import { sinceFlag } from '../flags.js'
import { formatNumber } from '../format.js'
import { collectStatus, statusJson } from '../statusData.js'
import { entriesSince } from './ledger.js'

const HOUR = 3_600_000

/** Runway of one agent key: what it can still spend, how fast it has been spending, and how long that lasts. */
export type KeyRunway = { agent: string; keyId: string; spendable: number | null; burnPerHour: number; runwayHours: number | null; basis: string }

/**
 * Runway per agent key from the ledger's burn rate and the balances: spendable = the account's Diem + USD
 * (`/api_keys/rate_limits`), capped by what is left of the key's own Diem limit this period (`GET /api_keys`).
 * The burn rate is the agent's ledger spend over `window` (or since its first call in it, at least 1 h).
 *
 * @example
 * ```ts
 * keyRunways(keys, serverKeys, rateLimits, entries, { now: Date.now(), windowMs: 86_400_000 })
 * ```
 */
export function keyRunways(keys: readonly KeySummary[], server: readonly ApiKey[] | undefined, limits: RateLimits | undefined, entries: readonly LedgerEntry[], o: { now: number; windowMs: number }): KeyRunway[] {
  const account = limits ? (limits.balances.DIEM ?? 0) + (limits.balances.USD ?? 0) : undefined
  return keys.filter((k) => k.apiKeyType === 'INFERENCE' && k.agent).map((k) => {
    const live = server?.find((s) => s.id === k.id)
    const limit = live?.consumptionLimits.diem ?? k.consumptionLimit.diem ?? undefined
    const used = live?.currentPeriodUsage ? Number(live.currentPeriodUsage.diem) : undefined
    const keyLeft = limit != null && used !== undefined ? Math.max(0, limit - used) : undefined
    const spendable = account === undefined ? keyLeft : keyLeft === undefined ? account : Math.min(account, keyLeft)
    const mine = entriesSince(entries, o.now - o.windowMs).filter((e) => e.agent === k.agent)
    const spent = mine.reduce((s, e) => s + e.costDiem + e.costUsd, 0)
    const first = mine.length ? Date.parse(mine[0]!.ts) : o.now
    const burnPerHour = spent / (Math.max(o.now - first, HOUR) / HOUR)
    const runwayHours = spendable === undefined ? null : burnPerHour > 0 ? spendable / burnPerHour : null
    const basis = [keyLeft !== undefined ? `key limit left ${num(keyLeft)} Diem` : '', account !== undefined ? `account ${num(account)}` : '', `${mine.length} call(s) in the window`].filter(Boolean).join(', ')
    return { agent: k.agent!, keyId: k.id, spendable: spendable ?? null, burnPerHour: round(burnPerHour), runwayHours: runwayHours === null ? null : round(runwayHours), basis }
  })
}

/**
 * `gondola status`: wallet balances, kept keys with limits and expiry (checked against `GET /api_keys`), the
 * account's rate limits and balances (`/api_keys/rate_limits`), and runway per agent key. The ADMIN key is used
 * here and never printed; without one, the server-side parts are skipped with a hint.
 */
export default defineCommand({
  meta: { name: 'status', description: 'Balances, keys with limits and expiry, rate limits, runway per key' },
  args: {
    window: { type: 'string', description: 'Burn-rate window for runway (30m, 1h, 1d)', default: '1d' },
    ...jsonArg,
  },
  async run({ args }) {
    const now = Date.now()
    const windowMs = now - sinceFlag(args.window, '--window', now, { durationOnly: true })
    const env = readEnv()
    const wallet = await openWallet(env)
    const store = await openKeyStoreFromEnv(env)
    const status = await collectStatus(env, { wallet, store, now, windowMs })
    const { baseURL, rawBalances: balances, keys: keyRows, rateLimits: limits, runways, entries, epoch } = status
    const keys = keyRows
    const unfinished = unfinishedRuns(wallet.journal.runs())
    if (args.json) return printJson({ ...statusJson(status), unfinishedRuns: unfinished, journal: wallet.journal.path })
    const out = (l: string) => process.stdout.write(`${l}\n`)
    const b = balances
    out(`Wallet ${wallet.address} on ${env.GONDOLA_NETWORK} · API ${baseURL}`)
    out(`  ETH ${fmt(b.eth)} · VVV ${fmt(b.vvv)} · sVVV ${fmt(b.svvv.total)} (${fmt(b.svvv.locked)} locked for DIEM) · rewards ${fmt(b.pendingRewards)} · DIEM staked ${fmt(b.diem.staked)}, liquid ${fmt(b.diem.liquid)}`)
    if (unfinished.length) {
      out(`Unfinished runs (${unfinished.length}) in ${wallet.journal.path} — the next \`gondola run\` (top-ups) or the same command again finishes them:`)
      for (const r of unfinished) out(`  ${r.intent} (${r.status}, since ${r.createdAt}): ${r.steps.map((st) => `${st.name} ${st.status}`).join(', ')}`)
    }
    out(`Keys (${keys.length}):`)
    for (const k of keyRows) out(`  ${keyLine(k)}${k.onServer === false ? '  [unknown to Venice]' : ''}${k.currentPeriodUsage ? `  used ${num(Number(k.currentPeriodUsage.diem))} Diem this period` : ''}`)
    if (!limits) out('Rate limits: no ADMIN key kept for this wallet (run gondola provision).')
    else {
      out(`Account: ${num(limits.balances.DIEM ?? 0)} Diem + $${num(limits.balances.USD ?? 0)} · tier ${limits.apiTier.id} · next epoch ${limits.nextEpochBegins} · access ${limits.accessPermitted ? 'permitted' : 'DENIED'}`)
      if (epoch) out(`Epoch: resets in ${formatHours(epoch.resetsInHours)} · allowance after reset ${num(epoch.allowanceAfterReset)} Diem (${epoch.basis})`)
      const models = new Set(entries.map((e) => e.model))
      const shown = limits.rateLimits.filter((r) => r.apiModelId && models.has(r.apiModelId))
      for (const r of shown.length ? shown : limits.rateLimits.slice(0, 3)) out(`  ${r.apiModelId ?? '*'}: ${r.rateLimits.map((l) => `${l.amount} ${l.type}`).join(', ')}`)
      if (limits.rateLimits.length > (shown.length || 3)) out(`  … ${limits.rateLimits.length} models in all (--json for every limit)`)
    }
    out('Runway:')
    for (const r of runways) out(`  ${r.agent.padEnd(14)} ${runwayText(r)} · ${num(r.burnPerHour)} Diem/h · spendable ${r.spendable === null ? '?' : num(r.spendable)} (${r.basis})`)
  },
})

function runwayText(r: KeyRunway & { sustainable?: boolean | null }): string {
  if (r.spendable === null) return 'unknown'
  if (r.burnPerHour === 0) return 'idle (no spend in the window)'
  if (r.runwayHours === null) return 'sustainable (each reset covers the burn)'
  return `${num(r.runwayHours)} h`
}

function formatHours(h: number): string {
  return h >= 1 ? `${Math.floor(h)} h ${Math.round((h % 1) * 60)} min` : `${Math.round(h * 60)} min`
}

const num = (n: number) => formatNumber(n)

/** Runs that sent something and did not finish (a crash, a cut connection): what is owed to the next run. */
export function unfinishedRuns(runs: readonly JournalRun[]): Array<{ key: string; intent: string; status: string; createdAt: string; steps: Array<{ name: string; status: string; hash: string }> }> {
  return runs
    .filter((r) => r.status !== 'done' && paidFor(r))
    .map((r) => ({ key: r.key, intent: r.intent, status: r.status, createdAt: r.createdAt, steps: r.steps.map((st) => ({ name: st.name, status: st.status, hash: st.hash })) }))
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6
}
