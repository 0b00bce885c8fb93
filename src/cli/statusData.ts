import { join } from 'node:path'
import { readLedger } from '../agent/ledger.js'
import type { Env } from '../config/env.js'
import type { KeyStore } from '../keys/KeyStore.js'
import { originOf, storedAdminKey } from '../keys/provisionApiKey.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { resolveVeniceBaseUrl } from '../runtime/resolveBaseUrl.js'
import { getBalances } from '../wallet/actions/getBalances.js'
import type { Wallet } from '../wallet/createWallet.js'
import { keyRunways } from './commands/status.js'
import { epochOf, withEpoch } from './statusEpoch.js'
import { presentable } from './walletCommand.js'

/**
 * Everything `gondola status --json` prints, gathered once: wallet balances, kept keys checked against
 * `GET /api_keys`, the account's rate limits and balances, and runway per agent key. The dashboard serves the
 * same object, so its numbers are the CLI's.
 *
 * @example
 * ```ts
 * const status = await collectStatus(env, { wallet, store, now: Date.now(), windowMs: 86_400_000 })
 * status.runways[0].runwayHours
 * ```
 */
export async function collectStatus(env: Env, o: { wallet: Wallet; store: KeyStore; now: number; windowMs: number }) {
  const baseURL = resolveVeniceBaseUrl(env)
  const scope = { wallet: o.wallet.address, apiOrigin: originOf(baseURL) }
  const keys = o.store.summaries().filter((k) => k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
  const adminKey = storedAdminKey(o.store, scope) ?? env.VENICE_ADMIN_API_KEY
  const admin = adminKey ? createVeniceClient({ baseURL, apiKey: adminKey, maxRetries: 2 }) : undefined
  const [balances, server, limits, entries, billing] = await Promise.all([
    getBalances(o.wallet),
    admin?.listApiKeys(),
    admin?.getRateLimits(),
    readLedger(join(env.GONDOLA_STATE_DIR, 'ledger.jsonl')),
    admin?.getBillingBalance(),
  ])
  // The allowance comes back at the reset: runway is counted across it.
  const epoch = limits ? await epochOf(env, o.wallet, balances, limits.nextEpochBegins, billing?.diemEpochAllocation, o.now) : undefined
  const runways = withEpoch(keyRunways(keys, server, limits, entries, { now: o.now, windowMs: o.windowMs }), keys, epoch)
  const keyRows = keys.map((k) => {
    const live = server?.find((s) => s.id === k.id)
    return { ...k, onServer: server ? Boolean(live) : null, currentPeriodUsage: live?.currentPeriodUsage ?? null }
  })
  return { wallet: o.wallet.address, network: env.GONDOLA_NETWORK, baseURL, balances: presentable(balances), rawBalances: balances, keys: keyRows, rateLimits: limits ?? null, epoch: epoch ?? null, runways, entries }
}

/** What `collectStatus` returns. */
export type StatusData = Awaited<ReturnType<typeof collectStatus>>

/** The JSON line of `gondola status --json`. */
export function statusJson(s: StatusData) {
  return { wallet: s.wallet, network: s.network, baseURL: s.baseURL, balances: s.balances, keys: s.keys, rateLimits: s.rateLimits, epoch: s.epoch, runways: s.runways }
}
