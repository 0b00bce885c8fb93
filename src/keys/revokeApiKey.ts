import { traceKeyOperation } from '../telemetry/record.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { NotFoundError } from '../venice/errors.js'
import { KeyStoreError } from './errors.js'
import type { KeyStore } from './KeyStore.js'
import { storedAdminKey } from './provisionApiKey.js'

/**
 * Revokes a kept key on Venice (with the ADMIN key kept for the same wallet and API) and forgets it.
 * A key Venice no longer knows is simply forgotten.
 *
 * @example
 * ```ts
 * await revokeApiKey({ store, baseURL, id: 'e28e82dc' })
 * ```
 */
export function revokeApiKey(p: { store: KeyStore; baseURL: string; id: string; fetch?: typeof fetch | undefined }): Promise<{ id: string }> {
  return traceKeyOperation('revoke', {}, () => revokeApiKeyUntraced(p), (r) => r.id)
}

async function revokeApiKeyUntraced(p: { store: KeyStore; baseURL: string; id: string; fetch?: typeof fetch | undefined }): Promise<{ id: string }> {
  const key = p.store.find(p.id)
  if (!key) throw new KeyStoreError(`No key ${p.id} in the key store.`, { metaMessages: ['See `gondola keys list`.'] })
  const admin = storedAdminKey(p.store, { wallet: key.wallet, apiOrigin: key.apiOrigin }) ?? (key.apiKeyType === 'ADMIN' ? p.store.reveal(key.id) : undefined)
  if (!admin) throw new KeyStoreError('Revoking needs an ADMIN key for this wallet.', { metaMessages: ['Mint one: `gondola keys mint --type ADMIN`.'] })
  try {
    await createVeniceClient({ baseURL: p.baseURL, apiKey: admin, fetch: p.fetch }).deleteApiKey(key.id)
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err
  }
  await p.store.remove(key.id)
  return { id: key.id }
}
