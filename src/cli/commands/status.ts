import { defineCommand } from 'citty'
import { ledgerPathIn, readLedger } from '../../agent/ledger.js'
import { readEnv } from '../../config/env.js'
import { statusSourcesOf } from '../../host/statusSources.js'
import { collectStatus, statusJson, type KeyRunwayAcrossReset } from '../../status/index.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { openWallet } from '../../runtime/openWallet.js'
import { openX402 } from '../../runtime/openX402.js'
import { collectX402Status, type X402Status } from '../../status/collectX402Status.js'
import { publicText } from '../../util/publicError.js'
import { paidFor } from '../../wallet/send/withRun.js'
import type { JournalRun } from '../../wallet/journal/journal.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { jsonArg, printJson } from '../output.js'
import { fmt } from '../walletCommand.js'
import { sinceFlag } from '../flags.js'
import { formatNumber, x402RunwayText } from '../format.js'

/**
 * `gondola status`: wallet balances, kept keys with limits and expiry (checked against `GET /api_keys`), the
 * account's rate limits and balances (`/api_keys/rate_limits`), and runway per agent key. The ADMIN key is used
 * here and never printed; without one, the server-side parts are skipped with a hint.
 */
export default defineCommand({
  meta: { name: 'status', description: 'Balances, keys with limits and expiry, rate limits, runway per key' },
  args: {
    // 1d = the status model's DEFAULT_BURN_WINDOW_MS, the window every other surface uses.
    window: { type: 'string', description: 'Burn-rate window for runway (30m, 1h, 1d)', default: '1d' },
    ...jsonArg,
  },
  async run({ args }) {
    const now = Date.now()
    const windowMs = now - sinceFlag(args.window, '--window', now, { durationOnly: true })
    const env = readEnv()
    const wallet = await openWallet(env)
    const store = await openKeyStoreFromEnv(env)
    const status = await collectStatus(statusSourcesOf(env, { wallet, store, baseURL: resolveVeniceBaseUrl(env) }), { now, windowMs })
    const { baseURL, rawBalances: balances, keys: keyRows, rateLimits: limits, runways, entries, epoch } = status
    const keys = keyRows
    const unfinished = unfinishedRuns(wallet.journal.runs())
    const x402 = await x402Rail(env, wallet, { now, windowMs })
    if (args.json) return printJson({ ...statusJson(status), x402: x402.status, unfinishedRuns: unfinished, journal: wallet.journal.path })
    const out = (l: string) => process.stdout.write(`${l}\n`)
    const b = balances
    out(`Wallet ${wallet.address} on ${env.GONDOLA_NETWORK} · API ${baseURL}`)
    out(
      `  ETH ${fmt(b.eth)} · VVV ${fmt(b.vvv)} · sVVV ${fmt(b.svvv.total)} (${fmt(b.svvv.locked)} locked for DIEM) · rewards ${fmt(b.pendingRewards)} · DIEM staked ${fmt(b.diem.staked)}, liquid ${fmt(b.diem.liquid)}`,
    )
    out(x402Line(x402))
    if (unfinished.length) {
      out(`Unfinished runs (${unfinished.length}) in ${wallet.journal.path} — the next \`gondola run\` (top-ups) or the same command again finishes them:`)
      for (const r of unfinished) out(`  ${r.intent} (${r.status}, since ${r.createdAt}): ${r.steps.map((st) => `${st.name} ${st.status}`).join(', ')}`)
    }
    out(`Keys (${keys.length}):`)
    for (const k of keyRows)
      out(
        `  ${keyLine(k)}${k.onServer === false ? '  [unknown to Venice]' : ''}${k.currentPeriodUsage ? `  used ${num(Number(k.currentPeriodUsage.diem))} Diem this period` : ''}`,
      )
    if (!limits) out('Rate limits: no ADMIN key kept for this wallet (run gondola provision).')
    else {
      out(
        `Account: ${num(limits.balances.DIEM ?? 0)} Diem + $${num(limits.balances.USD ?? 0)} · tier ${limits.apiTier.id} · next epoch ${limits.nextEpochBegins} · access ${limits.accessPermitted ? 'permitted' : 'DENIED'}`,
      )
      if (epoch) out(`Epoch: resets in ${formatHours(epoch.resetsInHours)} · allowance after reset ${num(epoch.allowanceAfterReset)} Diem (${epoch.basis})`)
      const models = new Set(entries.map((e) => e.model))
      const shown = limits.rateLimits.filter((r) => r.apiModelId && models.has(r.apiModelId))
      for (const r of shown.length ? shown : limits.rateLimits.slice(0, 3))
        out(`  ${r.apiModelId ?? '*'}: ${r.rateLimits.map((l) => `${l.amount} ${l.type}`).join(', ')}`)
      if (limits.rateLimits.length > (shown.length || 3)) out(`  … ${limits.rateLimits.length} models in all (--json for every limit)`)
    }
    out('Runway:')
    for (const r of runways)
      out(`  ${r.agent.padEnd(14)} ${runwayText(r)} · ${num(r.burnPerHour)} Diem/h · spendable ${r.spendable === null ? '?' : num(r.spendable)} (${r.basis})`)
  },
})

/** The x402 rail (USDC credits, SIWX): its status, or why it could not be read (no USDC on this chain, the route refused). */
async function x402Rail(
  env: ReturnType<typeof readEnv>,
  wallet: Awaited<ReturnType<typeof openWallet>>,
  o: { now: number; windowMs: number },
): Promise<{ status: X402Status | null; why?: string }> {
  if (!wallet.addresses.usdc) return { status: null, why: 'no USDC in the address book' }
  try {
    const { venice } = await openX402(env, { wallet })
    const readSpends = () => readLedger(ledgerPathIn(env.GONDOLA_STATE_DIR))
    return { status: await collectX402Status({ wallet, venice, readSpends, windowMs: o.windowMs, now: () => o.now }) }
  } catch (err) {
    return { status: null, why: publicText((err as { shortMessage?: string }).shortMessage ?? String(err)) }
  }
}

function x402Line(r: { status: X402Status | null; why?: string }): string {
  const s = r.status
  if (!s) return `x402: not available (${r.why})`
  const pending = s.unfinishedPayments.length ? ` · ${s.unfinishedPayments.length} unfinished payment(s)` : ''
  return `x402: credits $${num(s.credits?.balanceUsd ?? 0)} (${s.canConsume ? 'can consume' : 'top up to consume'}) · runway ${x402RunwayText(s.runway.wallet)} · USDC in wallet ${s.usdcHeld === null ? '?' : `$${num(s.usdcHeld)}`}${pending}`
}

function runwayText(r: KeyRunwayAcrossReset): string {
  if (r.state === 'unknown') return 'unknown'
  if (r.state === 'idle') return 'idle (no spend in the window)'
  const acrossReset = r.sustainable
    ? ', sustainable (each reset covers the burn)'
    : r.runwayHoursAcrossReset !== null && r.runwayHoursAcrossReset !== r.runwayHours
      ? `, ${num(r.runwayHoursAcrossReset)} h across the reset`
      : ''
  return `${num(r.runwayHours ?? 0)} h${acrossReset}`
}

function formatHours(h: number): string {
  return h >= 1 ? `${Math.floor(h)} h ${Math.round((h % 1) * 60)} min` : `${Math.round(h * 60)} min`
}

const num = (n: number) => formatNumber(n)

/** Runs that sent something and did not finish (a crash, a cut connection): what is owed to the next run. */
export function unfinishedRuns(
  runs: readonly JournalRun[],
): Array<{ key: string; intent: string; status: string; createdAt: string; steps: Array<{ name: string; status: string; hash: string }> }> {
  return runs
    .filter((r) => r.status !== 'done' && paidFor(r))
    .map((r) => ({
      key: r.key,
      intent: r.intent,
      status: r.status,
      createdAt: r.createdAt,
      steps: r.steps.map((st) => ({ name: st.name, status: st.status, hash: st.hash })),
    }))
}
