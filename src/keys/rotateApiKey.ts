import { traceKeyOperation } from '../telemetry/record.js'
import { KeyStoreError } from './errors.js'
import type { KeyStore } from './KeyStore.js'
import { provisionApiKey, type ProvisionApiKeyReturnType } from './provisionApiKey.js'
import { revokeApiKey } from './revokeApiKey.js'
import type { AnySigner } from '../wallet/accounts/toSigner.js'
import type { KeyRequest } from './keyRequest.js'

/**
 * Replaces a kept key: mints the replacement first (same type, agent, limits and period unless overridden),
 * then revokes the old one, so an agent is never without a key.
 *
 * @example
 * ```ts
 * const next = await rotateApiKey({ store, baseURL, signer: account, id: oldId, overrides: { consumptionLimit: { diem: 2 } } })
 * ```
 */
export function rotateApiKey(p: RotateApiKeyParameters): Promise<ProvisionApiKeyReturnType & { revoked: string }> {
  return traceKeyOperation('rotate', {}, () => rotateApiKeyUntraced(p), (r) => r.key.id)
}

/** Parameters of `rotateApiKey`. */
export type RotateApiKeyParameters = {
  store: KeyStore
  baseURL: string
  signer: AnySigner
  id: string
  overrides?: Partial<Omit<KeyRequest, 'apiKeyType'>> | undefined
  fetch?: typeof fetch | undefined
  now?: (() => number) | undefined
}

async function rotateApiKeyUntraced(p: RotateApiKeyParameters): Promise<ProvisionApiKeyReturnType & { revoked: string }> {
  const old = p.store.find(p.id)
  if (!old) throw new KeyStoreError(`No key ${p.id} in the key store.`, { metaMessages: ['See `gondola keys list`.'] })
  const description = old.description.replace(/ \[gondola:[0-9a-f]{12}\]$/, '')
  const limit = { ...(old.consumptionLimit.diem != null ? { diem: old.consumptionLimit.diem } : {}), ...(old.consumptionLimit.usd != null ? { usd: old.consumptionLimit.usd } : {}) }
  const next = await provisionApiKey({
    signer: p.signer,
    baseURL: p.baseURL,
    store: p.store,
    fetch: p.fetch,
    now: p.now,
    agent: old.agent,
    apiKeyType: old.apiKeyType,
    description,
    ...(Object.keys(limit).length ? { consumptionLimit: limit } : {}),
    ...(old.limitPeriod ? { limitPeriod: old.limitPeriod } : {}),
    ...p.overrides,
  })
  await revokeApiKey({ store: p.store, baseURL: p.baseURL, id: old.id, fetch: p.fetch })
  return { ...next, revoked: old.id }
}
