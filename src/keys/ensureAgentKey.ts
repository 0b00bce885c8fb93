import { createVeniceClient } from '../venice/createVeniceClient.js'
import type { KeyStore, KeySummary } from './KeyStore.js'
import type { ConsumptionLimit, LimitPeriod, StoredKey } from './keyStoreSchema.js'
import { originOf, provisionApiKey, storedAdminKey, type ProvisionApiKeyParameters } from './provisionApiKey.js'
import { revokeApiKey } from './revokeApiKey.js'

/** What one agent's INFERENCE key should be. */
export type AgentKeySpec = {
  agent: string
  consumptionLimit: ConsumptionLimit
  limitPeriod?: LimitPeriod | undefined
  /** ISO expiry of a new key (kept keys are not rotated for a later expiry, only when expired). */
  expiresAt?: string | undefined
  description?: string | undefined
  /** No limit was given for this agent: a live key it has is kept whatever its limits (never silently lowered). */
  keepLive?: boolean | undefined
}

/** `kept`: a live key with these limits exists; `minted`: none did; `rotated`: the limits changed (new key minted, old revoked). */
export type EnsureAgentKeyReturnType = {
  status: 'kept' | 'minted' | 'rotated' | 'planned'
  key?: KeySummary | undefined
  revoked: string[]
  verified?: boolean | undefined
  /** The limits of the live key a rotation replaces (or a plan would), for saying what changes. */
  previous?: { consumptionLimit: ConsumptionLimit; limitPeriod: LimitPeriod } | undefined
}

export type EnsureAgentKeyParameters = Omit<
  ProvisionApiKeyParameters,
  'apiKeyType' | 'description' | 'consumptionLimit' | 'limitPeriod' | 'expiresAt' | 'agent'
> & {
  spec: AgentKeySpec
  /** The wallet's address (keys are scoped by wallet and API). */
  wallet: string
  /** Ids Venice still knows (from `GET /api_keys` with the ADMIN key); fetched when omitted and an ADMIN key is kept. */
  liveIds?: ReadonlySet<string> | undefined
  /** Plan only: report what would happen, mint and revoke nothing. */
  dryRun?: boolean | undefined
}

/**
 * One agent's INFERENCE key, idempotently: a kept key Venice still knows, not expired, with the same limit and
 * period is reused (with `keepLive`, whatever its limits); with a different limit the agent's key is rotated — the new key is minted (and stored)
 * first, then every older live key of that agent is revoked, so the agent is never without a key and no
 * second key stays live.
 *
 * @example
 * ```ts
 * const r = await ensureAgentKey({ signer: account, baseURL, store, wallet: account.address, spec: { agent: 'bot01', consumptionLimit: { diem: 1.5 } } })
 * r.status // 'minted', then 'kept' on a rerun, 'rotated' after the limit changes
 * ```
 */
export async function ensureAgentKey(p: EnsureAgentKeyParameters): Promise<EnsureAgentKeyReturnType> {
  const { spec, wallet, dryRun, liveIds: given, ...mintParams } = p
  const now = (p.now ?? Date.now)()
  const apiOrigin = originOf(p.baseURL)
  const liveIds = given ?? (await liveKeyIds(p.store, { wallet, apiOrigin }, p.baseURL, p.fetch, p.adminApiKey))
  const period = spec.limitPeriod ?? 'EPOCH'
  const live = p.store
    .keys('INFERENCE')
    .filter((k) => k.agent === spec.agent && k.wallet === wallet && k.apiOrigin === apiOrigin)
    .filter((k) => (liveIds ? liveIds.has(k.id) : true) && (!k.expiresAt || Date.parse(k.expiresAt) > now))
  const same = live.filter((k) => sameLimits(k, spec.consumptionLimit, period)).at(-1) ?? (spec.keepLive ? live.at(-1) : undefined)
  if (same) return { status: 'kept', key: p.store.summaries().find((k) => k.id === same.id), revoked: [] }
  const last = live.at(-1)
  const previous = last && { consumptionLimit: last.consumptionLimit, limitPeriod: last.limitPeriod ?? 'EPOCH' }
  // A dry run reports the keys a rotation would revoke.
  if (dryRun) return { status: 'planned', revoked: live.map((k) => k.id), previous }
  const minted = await provisionApiKey({
    ...mintParams,
    agent: spec.agent,
    apiKeyType: 'INFERENCE',
    description: (spec.description ?? `agent ${spec.agent}`).slice(0, 40),
    consumptionLimit: spec.consumptionLimit,
    limitPeriod: period,
    ...(spec.expiresAt ? { expiresAt: spec.expiresAt } : {}),
  })
  // Only after the new key is stored: revoke the agent's older live keys (other limits).
  const revoked: string[] = []
  for (const old of live) revoked.push((await revokeApiKey({ store: p.store, baseURL: p.baseURL, id: old.id, fetch: p.fetch })).id)
  return { status: revoked.length ? 'rotated' : 'minted', key: minted.key, revoked, verified: minted.verified, previous }
}

function sameLimits(k: StoredKey, limit: ConsumptionLimit, period: LimitPeriod): boolean {
  return (
    (k.consumptionLimit.diem ?? undefined) === (limit.diem ?? undefined) &&
    (k.consumptionLimit.usd ?? undefined) === (limit.usd ?? undefined) &&
    (k.limitPeriod ?? 'EPOCH') === period
  )
}

/** Ids Venice still knows for this wallet, or undefined when no ADMIN key is at hand (then the store is trusted). */
export async function liveKeyIds(
  store: KeyStore,
  scope: { wallet: string; apiOrigin: string },
  baseURL: string,
  fetch?: typeof globalThis.fetch,
  adminApiKey?: string,
): Promise<Set<string> | undefined> {
  const admin = storedAdminKey(store, scope) ?? adminApiKey
  if (!admin) return undefined
  return new Set((await createVeniceClient({ baseURL, apiKey: admin, fetch, maxRetries: 2 }).listApiKeys()).map((k) => k.id))
}
