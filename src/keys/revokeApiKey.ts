import { ExitCode } from '../errors/exitCodes.js'
import { traceKeyOperation } from '../telemetry/record.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { AuthenticationError, BadRequestError, NotFoundError } from '../venice/errors.js'
import { KeyStoreError } from './errors.js'
import type { KeyStore } from './KeyStore.js'
import { storedAdminKey } from './provisionApiKey.js'

/**
 * Revokes a kept key on Venice (with the ADMIN key kept for the same wallet and API) and forgets it.
 * Idempotent: when Venice says the key is unknown (the spec's 400 for `DELETE /api_keys?id=`, or a 404),
 * the key list is checked; a key that is not listed is already gone and is simply forgotten. A key that
 * is still listed keeps the error (and stays in the store). An ADMIN key Venice refuses (401) while revoking
 * itself is already revoked: it is forgotten. When the ADMIN key is refused while revoking another key, that key
 * is asked about with its own secret: refused too, it is already revoked and forgotten (exit 0); still accepted,
 * it stays kept and the refused ADMIN key is a configuration error (exit 3: re-provision).
 *
 * @example
 * ```ts
 * await revokeApiKey({ store, baseURL, id: 'e28e82dc' })
 * ```
 */
export function revokeApiKey(p: {
  store: KeyStore
  baseURL: string
  id: string
  fetch?: typeof fetch | undefined
}): Promise<{ id: string; alreadyGone: boolean }> {
  return traceKeyOperation(
    'revoke',
    {},
    () => revokeApiKeyUntraced(p),
    (r) => r.id,
  )
}

async function revokeApiKeyUntraced(p: {
  store: KeyStore
  baseURL: string
  id: string
  fetch?: typeof fetch | undefined
}): Promise<{ id: string; alreadyGone: boolean }> {
  const key = p.store.find(p.id)
  if (!key) throw new KeyStoreError(`No key ${p.id} in the key store.`, { metaMessages: ['See `gondola keys list`.'], exitCode: ExitCode.usage })
  const admin = storedAdminKey(p.store, { wallet: key.wallet, apiOrigin: key.apiOrigin }) ?? (key.apiKeyType === 'ADMIN' ? p.store.reveal(key.id) : undefined)
  if (!admin) throw new KeyStoreError('Revoking needs an ADMIN key for this wallet.', { metaMessages: ['Mint one: `gondola keys mint --type ADMIN`.'] })
  const client = createVeniceClient({ baseURL: p.baseURL, apiKey: admin, fetch: p.fetch })
  let alreadyGone = false
  try {
    await client.deleteApiKey(key.id)
  } catch (err) {
    if (err instanceof AuthenticationError) {
      // The key we authenticated with is refused. Revoking that very key: it is already dead, forget it.
      // Another key: asked with its own secret. Venice refusing it too means it is revoked (or expired): forget it.
      // One it still accepts is live and is kept, and the refused ADMIN key is the state to fix (exit 3).
      if ((key.apiKeyType === 'ADMIN' && p.store.reveal(key.id) === admin) || (await isRefused(p.baseURL, p.store.reveal(key.id), p.fetch))) {
        await p.store.remove(key.id)
        return { id: key.id, alreadyGone: true }
      }
      throw new KeyStoreError(`Venice refused this wallet's ADMIN key (401), so ${key.id.slice(0, 8)} (still accepted by Venice) cannot be revoked.`, {
        cause: err,
        metaMessages: ['The ADMIN key was revoked, or the devnet/emulator was restarted (it forgets every key): run `gondola provision` to mint a new one.'],
        code: 'KEY_ADMIN_REFUSED',
      })
    }
    if (!(err instanceof NotFoundError || err instanceof BadRequestError)) throw err
    // The wording of "unknown key" is not documented: the key list decides.
    const listed = (await client.listApiKeys()).some((k) => k.id === key.id)
    if (listed) throw err
    alreadyGone = true
  }
  await p.store.remove(key.id)
  return { id: key.id, alreadyGone }
}

/** Whether Venice refuses `apiKey` (401) on a free authenticated read (`GET /characters`, any key type). Other failures: unknown, so false. */
async function isRefused(baseURL: string, apiKey: string, fetch: typeof globalThis.fetch | undefined): Promise<boolean> {
  try {
    await createVeniceClient({ baseURL, apiKey, fetch }).listCharacters({ limit: 1 })
    return false
  } catch (err) {
    return err instanceof AuthenticationError
  }
}
