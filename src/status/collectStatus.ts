import type { KeyStore } from '../keys/KeyStore.js'
import { originOf, storedAdminKey } from '../keys/provisionApiKey.js'
import { presentable } from '../util/presentable.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { getBalances } from '../wallet/actions/getBalances.js'
import type { Wallet } from '../wallet/createWallet.js'
import { type AllowanceProjection, epochOf, withEpoch } from './epoch.js'
import { keyRunways } from './keyRunways.js'
import type { SpendEntry } from './spendEntry.js'

/** Where status reads from: one wallet, its key store, the Venice API and the spend ledger (plain values). */
export type StatusSources<E extends SpendEntry = SpendEntry> = {
  wallet: Wallet
  store: KeyStore
  /** Venice API base URL. */
  baseURL: string
  /** The network's name, shown as is (`devnet`, `base`); `null` in the result when not given. */
  network?: string | undefined
  /** Reads the spend ledger (e.g. `() => readLedger(join(stateDir, 'ledger.jsonl'))`). */
  readSpends: () => Promise<readonly E[]>
  /** An ADMIN key from the environment, used when the store keeps none for this wallet. */
  fallbackAdminKey?: string | undefined
  /** The allowance after the reset, when something knows better than this epoch's allocation (the autopilot). */
  projectAllowance?: AllowanceProjection | undefined
  fetch?: typeof fetch | undefined
}

/**
 * Everything status shows, gathered once: wallet balances, kept keys checked against `GET /api_keys`, the account's
 * rate limits and balances, the epoch, and runway per agent key. The key store is re-read first, so a long-lived
 * surface (the dashboard, MCP) sees a rotation or a new key another process made. `gondola status --json`, the
 * dashboard and MCP all read this.
 *
 * @example
 * ```ts
 * const status = await collectStatus({ wallet, store, baseURL, network: 'devnet', readSpends: () => readLedger(ledgerPath) }, { now: Date.now(), windowMs: 86_400_000 })
 * status.runways[0].runwayHours
 * ```
 */
export async function collectStatus<E extends SpendEntry>(src: StatusSources<E>, o: { now: number; windowMs: number }) {
  await src.store.refresh()
  const scope = { wallet: src.wallet.address, apiOrigin: originOf(src.baseURL) }
  const keys = src.store.summaries().filter((k) => k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
  const adminKey = storedAdminKey(src.store, scope) ?? src.fallbackAdminKey
  const admin = adminKey ? createVeniceClient({ baseURL: src.baseURL, apiKey: adminKey, maxRetries: 2, fetch: src.fetch }) : undefined
  const [balances, server, limits, entries, billing] = await Promise.all([
    getBalances(src.wallet),
    admin?.listApiKeys(),
    admin?.getRateLimits(),
    src.readSpends(),
    admin?.getBillingBalance(),
  ])
  // The allowance comes back at the reset: runway is also counted across it.
  const epoch = limits
    ? await epochOf({
        balances,
        nextEpochBegins: limits.nextEpochBegins,
        allocation: billing?.diemEpochAllocation,
        projectAllowance: src.projectAllowance,
        now: o.now,
      })
    : undefined
  const runways = withEpoch(keyRunways({ keys, server, limits, entries, now: o.now, windowMs: o.windowMs }), keys, epoch)
  const keyRows = keys.map((k) => {
    const live = server?.find((s) => s.id === k.id)
    return { ...k, onServer: server ? Boolean(live) : null, currentPeriodUsage: live?.currentPeriodUsage ?? null }
  })
  return {
    wallet: src.wallet.address,
    network: src.network ?? null,
    baseURL: src.baseURL,
    balances: presentable(balances),
    rawBalances: balances,
    keys: keyRows,
    rateLimits: limits ?? null,
    epoch: epoch ?? null,
    runways,
    entries,
  }
}

/** What `collectStatus` returns. */
export type StatusData<E extends SpendEntry = SpendEntry> = Awaited<ReturnType<typeof collectStatus<E>>>

/**
 * The JSON of `gondola status --json` and the dashboard's `/api/status`.
 *
 * @example
 * ```ts
 * printJson(statusJson(await collectStatus(sources, { now, windowMs })))
 * ```
 */
export function statusJson(s: StatusData<SpendEntry>) {
  return {
    wallet: s.wallet,
    network: s.network,
    baseURL: s.baseURL,
    balances: s.balances,
    keys: s.keys,
    rateLimits: s.rateLimits,
    epoch: s.epoch,
    runways: s.runways,
  }
}
