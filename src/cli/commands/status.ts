import { defineCommand } from 'citty'
import type { LedgerEntry } from '../../agent/ledger.js'
import { readEnv } from '../../config/env.js'
import type { KeySummary } from '../../keys/KeyStore.js'
import type { ApiKey, RateLimits } from '../../venice/schemas.js'
import { openWallet } from '../../wallet/openWallet.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { jsonArg, printJson } from '../output.js'
import { presentable } from '../walletCommand.js'
import { entriesSince, parseSince } from './ledger.js'
import { collectStatus, statusJson } from '../statusData.js'

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
    const basis = [keyLeft !== undefined ? `key limit left ${round(keyLeft)} Diem` : '', account !== undefined ? `account ${round(account)}` : '', `${mine.length} call(s) in the window`].filter(Boolean).join(', ')
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
    const env = readEnv()
    const now = Date.now()
    const windowMs = now - parseSince(args.window, now)
    const wallet = await openWallet(env)
    const store = await openKeyStoreFromEnv(env)
    const status = await collectStatus(env, { wallet, store, now, windowMs })
    const { baseURL, rawBalances: balances, keys: keyRows, rateLimits: limits, runways, entries } = status
    const keys = keyRows
    if (args.json) return printJson(statusJson(status))
    const out = (l: string) => process.stdout.write(`${l}\n`)
    const b = presentable(balances) as { eth: string; vvv: string; svvv: { total: string; locked: string }; pendingRewards: string; diem: { staked: string; liquid: string } }
    out(`Wallet ${wallet.address} on ${env.GONDOLA_NETWORK} · API ${baseURL}`)
    out(`  ETH ${b.eth} · VVV ${b.vvv} · sVVV ${b.svvv.total} (${b.svvv.locked} locked for DIEM) · rewards ${b.pendingRewards} · DIEM staked ${b.diem.staked}, liquid ${b.diem.liquid}`)
    out(`Keys (${keys.length}):`)
    for (const k of keyRows) out(`  ${keyLine(k)}${k.onServer === false ? '  [unknown to Venice]' : ''}${k.currentPeriodUsage ? `  used ${k.currentPeriodUsage.diem} Diem this period` : ''}`)
    if (!limits) out('Rate limits: no ADMIN key kept for this wallet (run gondola provision).')
    else {
      out(`Account: ${limits.balances.DIEM ?? 0} Diem + $${limits.balances.USD ?? 0} · tier ${limits.apiTier.id} · next epoch ${limits.nextEpochBegins} · access ${limits.accessPermitted ? 'permitted' : 'DENIED'}`)
      const models = new Set(entries.map((e) => e.model))
      const shown = limits.rateLimits.filter((r) => r.apiModelId && models.has(r.apiModelId))
      for (const r of shown.length ? shown : limits.rateLimits.slice(0, 3)) out(`  ${r.apiModelId ?? '*'}: ${r.rateLimits.map((l) => `${l.amount} ${l.type}`).join(', ')}`)
      if (limits.rateLimits.length > (shown.length || 3)) out(`  … ${limits.rateLimits.length} models in all (--json for every limit)`)
    }
    out('Runway:')
    for (const r of runways) out(`  ${r.agent.padEnd(14)} ${r.runwayHours === null ? (r.spendable === null ? 'unknown' : 'idle (no spend in the window)') : `${r.runwayHours} h`} · ${r.burnPerHour} Diem/h · spendable ${r.spendable ?? '?'} (${r.basis})`)
  },
})

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6
}
