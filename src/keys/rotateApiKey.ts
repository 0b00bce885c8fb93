import { ExitCode } from '../errors/exitCodes.js'
import { traceKeyOperation } from '../telemetry/record.js'
import { KeyStoreError } from './errors.js'
import type { KeyStore } from './KeyStore.js'
import { provisionApiKey, type ProvisionApiKeyReturnType } from './provisionApiKey.js'
import { revokeApiKey } from './revokeApiKey.js'
import type { AnySigner } from '../wallet/accounts/toSigner.js'
import type { KeyRequest } from './keyRequest.js'

/**
 * Replaces a kept key: mints the replacement first (same type, agent, limits, period and lifetime unless
 * overridden), hands it to `onMinted` (callers switch their clients to it there), then revokes the old one.
 * Revoking is idempotent, so a key Venice already forgot does not fail the rotation: at the end exactly the
 * new key is live. If the mint fails, the old key is untouched (never zero keys).
 *
 * @example
 * ```ts
 * const next = await rotateApiKey({ store, baseURL, signer: account, id: oldId, overrides: { consumptionLimit: { diem: 2 } } })
 * ```
 */
export function rotateApiKey(p: RotateApiKeyParameters): Promise<ProvisionApiKeyReturnType & { revoked: string }> {
  return traceKeyOperation(
    'rotate',
    {},
    () => rotateApiKeyUntraced(p),
    (r) => r.key.id,
  )
}

/** Parameters of `rotateApiKey`. */
export type RotateApiKeyParameters = {
  store: KeyStore
  baseURL: string
  signer: AnySigner
  id: string
  overrides?: Partial<Omit<KeyRequest, 'apiKeyType'>> | undefined
  /** Called with the new key after it is stored and verified, before the old key is revoked. */
  onMinted?: ((next: ProvisionApiKeyReturnType) => void | Promise<void>) | undefined
  fetch?: typeof fetch | undefined
  now?: (() => number) | undefined
}

async function rotateApiKeyUntraced(p: RotateApiKeyParameters): Promise<ProvisionApiKeyReturnType & { revoked: string }> {
  const old = p.store.find(p.id)
  if (!old) throw new KeyStoreError(`No key ${p.id} in the key store.`, { metaMessages: ['See `gondola keys list`.'], exitCode: ExitCode.usage })
  const now = p.now ?? Date.now
  const description = old.description.replace(/ \[gondola:[0-9a-f]{12}\]$/, '')
  const limit = {
    ...(old.consumptionLimit.diem != null ? { diem: old.consumptionLimit.diem } : {}),
    ...(old.consumptionLimit.usd != null ? { usd: old.consumptionLimit.usd } : {}),
  }
  const next = await provisionApiKey({
    signer: p.signer,
    baseURL: p.baseURL,
    store: p.store,
    fetch: p.fetch,
    now,
    agent: old.agent,
    apiKeyType: old.apiKeyType,
    description,
    ...(Object.keys(limit).length ? { consumptionLimit: limit } : {}),
    ...(old.limitPeriod ? { limitPeriod: old.limitPeriod } : {}),
    ...lifetimeOf(old, now()),
    ...p.overrides,
  })
  await p.onMinted?.(next)
  await revokeApiKey({ store: p.store, baseURL: p.baseURL, id: old.id, fetch: p.fetch })
  return { ...next, revoked: old.id }
}

/** A key that expired `ttl` after its creation is replaced by one that expires `ttl` from now (whole seconds, ISO). */
function lifetimeOf(old: { expiresAt: string | null; createdAt: string }, now: number): { expiresAt?: string } {
  const ttl = old.expiresAt ? Date.parse(old.expiresAt) - Date.parse(old.createdAt) : NaN
  if (!(ttl > 0)) return {}
  return { expiresAt: new Date(Math.floor((now + ttl) / 1000) * 1000).toISOString().replace('.000Z', 'Z') }
}
