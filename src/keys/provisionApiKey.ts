import { traceKeyOperation } from '../telemetry/record.js'
import { randomBytes } from 'node:crypto'
import { createVeniceClient, type VeniceClient } from '../venice/createVeniceClient.js'
import { VeniceAPIError } from '../venice/errors.js'
import { BaseError } from '../errors/BaseError.js'
import { KeyMismatchError, KeyQuotaError, UnreconciledMintError } from './errors.js'
import { parseKeyRequest, taggedDescription, type KeyRequest } from './keyRequest.js'
import type { KeyStore, KeySummary } from './KeyStore.js'
import { mintWeb3Key } from './mintWeb3Key.js'
import { reconcileAttempts, type ReconcileResult } from './reconcileAttempts.js'
import { toSigner, type AnySigner } from '../wallet/accounts/toSigner.js'
import { compareKey } from './verifyMintedKey.js'

/** Venice allows at most 500 active keys per user and 20 creations per minute. */
export const MAX_ACTIVE_KEYS = 500
export const MAX_CREATIONS_PER_MINUTE = 20

export type ProvisionApiKeyParameters = KeyRequest & {
  /** The wallet that proves stake: a viem `Account` or an ethers `Signer`. */
  signer: AnySigner
  /** Venice API base URL, e.g. `https://api.venice.ai/api/v1` or the emulator's. */
  baseURL: string
  store: KeyStore
  /** The agent this key is for (INFERENCE keys). */
  agent?: string | undefined
  /** An ADMIN key for read-back and reconciliation when the store keeps none for this wallet and API. */
  adminApiKey?: string | undefined
  fetch?: typeof fetch | undefined
  now?: (() => number) | undefined
  sleep?: ((ms: number) => Promise<void>) | undefined
}

export type ProvisionApiKeyReturnType = {
  key: KeySummary
  /** True when the key was read back with an ADMIN key and matched the request. */
  verified: boolean
  /** What was settled from an earlier interrupted run. */
  reconciled: ReconcileResult
  /** The secret. Hand it to the HTTP client only; never log it. */
  reveal(): string
}

/**
 * Mints a Venice API key from the wallet (web3 flow), retry-safe:
 * 1. settles mints an earlier run left in flight (revokes orphans by their attempt tag, with the ADMIN key);
 * 2. records the attempt, GETs the token, `personal_sign`s it, POSTs;
 * 3. writes the key to the store before anything else;
 * 4. reads it back with the ADMIN key and revokes it if type, limits or expiry differ.
 *
 * @example
 * ```ts
 * const store = await KeyStore.open({ path: '.gondola/keys.json' })
 * const admin = await provisionApiKey({ signer: account, baseURL, store, apiKeyType: 'ADMIN', description: 'gondola admin' })
 * const agentKey = await provisionApiKey({
 *   signer: account, baseURL, store, agent: 'treasurer',
 *   apiKeyType: 'INFERENCE', description: 'treasurer', consumptionLimit: { diem: 1 }, limitPeriod: 'EPOCH',
 * })
 * agentKey.key.redacted // 'vk_ab…9f3c'
 * ```
 */
export function provisionApiKey(parameters: ProvisionApiKeyParameters): Promise<ProvisionApiKeyReturnType> {
  return traceKeyOperation('mint', { type: parameters.apiKeyType, agent: parameters.agent }, () => provisionApiKeyUntraced(parameters), (r) => r.key.id)
}

async function provisionApiKeyUntraced(parameters: ProvisionApiKeyParameters): Promise<ProvisionApiKeyReturnType> {
  const { signer: anySigner, baseURL, store, agent, adminApiKey, fetch, now = Date.now, sleep, ...rest } = parameters
  const request = parseKeyRequest(rest, now())
  const signer = await toSigner(anySigner)
  const apiOrigin = originOf(baseURL)
  const client = (apiKey?: string) => createVeniceClient({ baseURL, apiKey, fetch, now })
  const scope = { wallet: signer.address, apiOrigin }

  const storedAdmin = storedAdminKey(store, scope) ?? adminApiKey
  let reconciled: ReconcileResult = { revoked: [], cleared: [] }
  if (store.pendingAttempts(scope).length > 0) {
    if (storedAdmin) reconciled = await reconcileAttempts({ admin: client(storedAdmin), store, ...scope })
    else if (request.apiKeyType !== 'ADMIN')
      throw new UnreconciledMintError('An earlier mint was interrupted and no ADMIN key is kept to reconcile it.', {
        metaMessages: ['Mint an ADMIN key first (`gondola keys mint --type ADMIN`): it revokes the orphan, then mint again.'],
      })
  }
  await respectCreationRate(store, now, sleep)
  if (store.keys().filter((k) => k.wallet === signer.address && k.apiOrigin === apiOrigin).length >= MAX_ACTIVE_KEYS) {
    throw new KeyQuotaError(`This wallet already keeps ${MAX_ACTIVE_KEYS} keys, Venice's maximum.`, { metaMessages: ['Revoke unused keys: `gondola keys revoke <id>`.'] })
  }

  const attemptId = randomBytes(6).toString('hex')
  const description = taggedDescription(request.description, attemptId)
  let recorded = false
  let created
  try {
    created = await mintWeb3Key(client(), {
      signer,
      sleep,
      apiKeyType: request.apiKeyType,
      description,
      consumptionLimit: request.consumptionLimit,
      limitPeriod: request.limitPeriod,
      expiresAt: request.expiresAt,
      beforeSend: async () => {
        if (recorded) return
        await store.beginAttempt({ attemptId, description, apiKeyType: request.apiKeyType, ...scope, ...(agent ? { agent } : {}) }, now())
        recorded = true
      },
    })
  } catch (err) {
    // A definite answer from Venice means no key exists for this attempt; anything else (connection lost
    // after sending) leaves the attempt for the next run to reconcile.
    if (recorded && isDefiniteAnswer(err)) await store.abandonAttempt(attemptId)
    throw err
  }

  const stored = await store.completeAttempt(attemptId, {
    id: created.id,
    apiKey: created.apiKey,
    apiKeyType: created.apiKeyType,
    description,
    consumptionLimit: { diem: created.consumptionLimit.diem ?? null, usd: created.consumptionLimit.usd ?? null },
    limitPeriod: created.limitPeriod ?? request.limitPeriod ?? null,
    expiresAt: created.expiresAt,
    ...scope,
    ...(agent ? { agent } : {}),
    createdAt: new Date(now()).toISOString(),
  })

  const readBackKey = storedAdmin ?? (request.apiKeyType === 'ADMIN' ? created.apiKey : undefined)
  let verified = false
  if (readBackKey) {
    const admin = client(readBackKey)
    await verifyOrRevoke(admin, store, stored.id, request)
    verified = true
    if (!storedAdmin && store.pendingAttempts(scope).length > 0) reconciled = await reconcileAttempts({ admin, store, ...scope })
  }
  const summary = store.summaries().find((k) => k.id === stored.id)!
  return { key: summary, verified, reconciled, reveal: () => store.reveal(stored.id) }
}

async function verifyOrRevoke(admin: VeniceClient, store: KeyStore, id: string, request: KeyRequest): Promise<void> {
  const actual = await admin.getApiKey(id)
  const problems = compareKey(actual, request)
  if (problems.length === 0) return
  await admin.deleteApiKey(id)
  await store.remove(id)
  throw new KeyMismatchError('The minted key does not match the request; it was revoked.', { metaMessages: problems })
}

/** The newest ADMIN key kept for this wallet and API. */
export function storedAdminKey(store: KeyStore, scope: { wallet: string; apiOrigin: string }): string | undefined {
  const admin = store
    .keys('ADMIN')
    .filter((k) => k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
    .at(-1)
  return admin ? store.reveal(admin.id) : undefined
}

async function respectCreationRate(store: KeyStore, now: () => number, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<void> {
  const recent = store.recentMints(now())
  if (recent.length < MAX_CREATIONS_PER_MINUTE) return
  const oldest = Math.min(...recent)
  await sleep(Math.max(0, oldest + 60_000 - now()))
}

function isDefiniteAnswer(err: unknown): boolean {
  if (err instanceof VeniceAPIError) return err.status !== undefined
  // Our typed refusals (not staked, token expired…) wrap a definite 400.
  return err instanceof BaseError && err.walk((e) => e instanceof VeniceAPIError && e.status !== undefined) !== null
}

/** The origin of an API base URL: keys belong to one API (devnet emulator vs api.venice.ai). */
export function originOf(baseURL: string): string {
  return new URL(baseURL).origin
}
