import { traceKeyOperation } from '../telemetry/record.js'
import { randomBytes } from 'node:crypto'
import { createVeniceClient, type VeniceClient } from '../venice/createVeniceClient.js'
import { APIConnectionError, InternalServerError, VeniceAPIError } from '../venice/errors.js'
import { retryDelayMs } from '../util/retry.js'
import { sleep as defaultSleep } from '../util/sleep.js'
import type { CreatedApiKey } from '../venice/schemas.js'
import { BaseError } from '../errors/BaseError.js'
import { KeyMismatchError, KeyQuotaError, UnreconciledMintError } from './errors.js'
import { parseKeyRequest, taggedDescription, type KeyRequest } from './keyRequest.js'
import type { KeyStore, KeySummary } from './KeyStore.js'
import { mintWeb3Key, type KeyWait } from './mintWeb3Key.js'
import { reconcileAttempts, type ReconcileResult } from './reconcileAttempts.js'
import { toSigner, type AnySigner, type WalletSigner } from '../wallet/accounts/toSigner.js'
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
  /** Mints tried when the answer is lost (connection dropped, 5xx) and the possible orphan can be revoked. Default 3. */
  maxMintAttempts?: number | undefined
  /** Called before every wait over the creation limit or a retry, so a CLI can say what it waits for. */
  onWait?: ((wait: KeyWait) => void) | undefined
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
  return traceKeyOperation(
    'mint',
    { type: parameters.apiKeyType, agent: parameters.agent },
    () => provisionApiKeyUntraced(parameters),
    (r) => r.key.id,
  )
}

async function provisionApiKeyUntraced(parameters: ProvisionApiKeyParameters): Promise<ProvisionApiKeyReturnType> {
  const { signer: anySigner, baseURL, store, agent, adminApiKey, fetch, now = Date.now, sleep, onWait, maxMintAttempts = 3, ...rest } = parameters
  const request = parseKeyRequest(rest, now())
  const signer = await toSigner(anySigner)
  const apiOrigin = originOf(baseURL)
  // One mint at a time per key store, across processes: a pending attempt seen under this lock is an orphan.
  return store.withMintLock(async () => {
    const client = (apiKey?: string) => createVeniceClient({ baseURL, apiKey, fetch, now })
    const scope = { wallet: signer.address, apiOrigin }
    const storedAdmin = storedAdminKey(store, scope) ?? adminApiKey
    let reconciled: ReconcileResult = { revoked: [], cleared: [] }
    const settle = async (admin: VeniceClient) => {
      const r = await reconcileAttempts({ admin, store, ...scope })
      reconciled = { revoked: [...reconciled.revoked, ...r.revoked], cleared: [...reconciled.cleared, ...r.cleared] }
    }
    if (store.pendingAttempts(scope).length > 0) {
      if (storedAdmin) await settle(client(storedAdmin))
      else if (request.apiKeyType !== 'ADMIN')
        throw new UnreconciledMintError('An earlier mint was interrupted and no ADMIN key is kept to reconcile it.', {
          metaMessages: ['Mint an ADMIN key first (`gondola keys mint --type ADMIN`): it revokes the orphan, then mint again.'],
        })
    }
    await respectCreationRate(store, now, sleep, onWait)
    if (store.keys().filter((k) => k.wallet === signer.address && k.apiOrigin === apiOrigin).length >= MAX_ACTIVE_KEYS) {
      throw new KeyQuotaError(`This wallet already keeps ${MAX_ACTIVE_KEYS} keys, Venice's maximum.`, {
        metaMessages: ['Revoke unused keys: `gondola keys revoke <id>`.'],
      })
    }

    // A mint whose answer was lost (connection dropped, 5xx) is tried again only when its possible orphan can be
    // revoked: before the retry with a kept ADMIN key, or, when minting the ADMIN key itself, with the new one.
    const canSettle = storedAdmin !== undefined || request.apiKeyType === 'ADMIN'
    let minted: { attemptId: string; description: string; created: CreatedApiKey } | undefined
    for (let attempt = 1; !minted; attempt++) {
      try {
        minted = await mintOnce({ client: client(), signer, request, store, scope, agent, sleep, onWait, now })
      } catch (err) {
        if (!isAmbiguous(err) || !canSettle || attempt >= maxMintAttempts) throw err
        if (storedAdmin) await settle(client(storedAdmin))
        // The shared retry policy's wait (a 5xx's Retry-After, else 0.5 s → 8 s), after the orphan is settled: never a blind retry.
        await (sleep ?? defaultSleep)(retryDelayMs({ attempt: attempt - 1, headers: err instanceof VeniceAPIError ? err.headers : undefined, now: Date.now() }))
      }
    }
    // Read back with the kept ADMIN key, or with the new key itself when it is the (first) ADMIN key.
    const readBackKey = storedAdmin ?? (request.apiKeyType === 'ADMIN' ? minted.created.apiKey : undefined)
    const stored = await keepAndVerify({ store, minted, request, scope, agent, now, admin: readBackKey ? client(readBackKey) : undefined })
    const verified = readBackKey !== undefined
    // Minting the first ADMIN key: attempts an earlier run left are settled with it now.
    if (!storedAdmin && readBackKey && store.pendingAttempts(scope).length > 0) await settle(client(readBackKey))
    const summary = store.summaries().find((k) => k.id === stored.id)!
    return { key: summary, verified, reconciled, reveal: () => store.reveal(stored.id) }
  })
}

/**
 * Stores the new key (the first thing done with it), then reads it back with an ADMIN key and revokes it if it
 * is not what was asked for.
 */
async function keepAndVerify(p: {
  store: KeyStore
  minted: { attemptId: string; description: string; created: CreatedApiKey }
  request: KeyRequest
  scope: { wallet: string; apiOrigin: string }
  agent: string | undefined
  now: () => number
  admin: VeniceClient | undefined
}) {
  const { attemptId, description, created } = p.minted
  const stored = await p.store.completeAttempt(attemptId, {
    id: created.id,
    apiKey: created.apiKey,
    apiKeyType: created.apiKeyType,
    description,
    consumptionLimit: { diem: created.consumptionLimit.diem ?? null, usd: created.consumptionLimit.usd ?? null },
    limitPeriod: created.limitPeriod ?? p.request.limitPeriod ?? null,
    expiresAt: created.expiresAt,
    ...p.scope,
    ...(p.agent ? { agent: p.agent } : {}),
    createdAt: new Date(p.now()).toISOString(),
  })
  if (p.admin) await verifyOrRevoke(p.admin, p.store, stored.id, p.request)
  return stored
}

/** One web3 mint with its attempt recorded before the POST leaves; a definite refusal clears the attempt. */
async function mintOnce(p: {
  client: VeniceClient
  signer: WalletSigner
  request: KeyRequest
  store: KeyStore
  scope: { wallet: string; apiOrigin: string }
  agent: string | undefined
  sleep: ((ms: number) => Promise<void>) | undefined
  onWait: ((wait: KeyWait) => void) | undefined
  now: () => number
}): Promise<{ attemptId: string; description: string; created: CreatedApiKey }> {
  const attemptId = randomBytes(6).toString('hex')
  const description = taggedDescription(p.request.description, attemptId)
  let recorded = false
  try {
    const created = await mintWeb3Key(p.client, {
      signer: p.signer,
      sleep: p.sleep,
      onWait: p.onWait,
      apiKeyType: p.request.apiKeyType,
      description,
      consumptionLimit: p.request.consumptionLimit,
      limitPeriod: p.request.limitPeriod,
      expiresAt: p.request.expiresAt,
      beforeSend: async () => {
        if (recorded) return
        await p.store.beginAttempt({ attemptId, description, apiKeyType: p.request.apiKeyType, ...p.scope, ...(p.agent ? { agent: p.agent } : {}) }, p.now())
        recorded = true
      },
    })
    return { attemptId, description, created }
  } catch (err) {
    // A definite answer from Venice means no key exists for this attempt; anything else (connection lost
    // after sending, a 5xx) leaves the attempt for reconciliation.
    if (recorded && isDefiniteAnswer(err)) await p.store.abandonAttempt(attemptId)
    throw err
  }
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

async function respectCreationRate(store: KeyStore, now: () => number, sleep = defaultSleep, onWait?: (wait: KeyWait) => void): Promise<void> {
  const recent = store.recentMints(now())
  if (recent.length < MAX_CREATIONS_PER_MINUTE) return
  const oldest = Math.min(...recent)
  const ms = Math.max(0, oldest + 60_000 - now())
  onWait?.({ reason: 'creation-limit', what: `Venice's key-creation limit (${MAX_CREATIONS_PER_MINUTE} a minute)`, ms })
  await sleep(ms)
}

/** A 4xx: Venice refused, so no key exists for the attempt. A 5xx or no answer at all may hide a created key. */
function isDefiniteAnswer(err: unknown): boolean {
  const status = (e: unknown) => (e instanceof VeniceAPIError ? e.status : undefined)
  const definite = (e: unknown) => status(e) !== undefined && status(e)! < 500
  // Our typed refusals (not staked, token expired…) wrap a definite 400.
  return definite(err) || (err instanceof BaseError && err.walk(definite) !== null)
}

/** The request may or may not have created a key: no answer, or a server error. Worth a settled retry. */
function isAmbiguous(err: unknown): boolean {
  return err instanceof APIConnectionError || err instanceof InternalServerError
}

/** The origin of an API base URL: keys belong to one API (devnet emulator vs api.venice.ai). */
export function originOf(baseURL: string): string {
  return new URL(baseURL).origin
}
