/**
 * The key store in Postgres: the same `KeyStore` (begin/complete attempts for retry-safe minting, secrets sealed)
 * behind a backend whose read-modify-write is one transaction holding the store's row lock, and whose mint lock
 * is a session advisory lock (freed when the minting process dies). Sealing is split: INFERENCE keys under
 * `GONDOLA_FLEET_SECRET`, the ADMIN key under `GONDOLA_KEYSTORE_PASSWORD`, so an agent worker holding only the
 * fleet secret reads its INFERENCE keys and never the ADMIN key.
 */
import { KeyStoreFileError } from '../../keys/errors.js'
import { KeyStore, type KeyStoreLockOptions } from '../../keys/KeyStore.js'
import type { KeyStoreBackend } from '../../keys/keyStoreBackend.js'
import { keyStoreFileSchema, type KeyStoreFile } from '../../keys/keyStoreSchema.js'
import { WalletLockedError } from '../../wallet/errors.js'
import type { Database } from '../db/openDatabase.js'
import { AdvisoryLockTimeoutError, acquireAdvisoryLock } from './advisoryLock.js'

/**
 * The Postgres backend of one key store (`scope`: one per fleet by default).
 *
 * @example
 * ```ts
 * const store = await KeyStore.openWith({ backend: pgKeyStoreBackend(db), fleetSecret })
 * ```
 */
export function pgKeyStoreBackend(db: Database, options: { scope?: string | undefined } = {}): KeyStoreBackend {
  const scope = options.scope ?? 'default'
  const path = `${db.displayUrl}#keys:${scope}`
  const parse = (doc: unknown): KeyStoreFile | undefined => {
    if (doc === null || doc === undefined) return undefined
    const parsed = keyStoreFileSchema.safeParse(doc)
    if (!parsed.success)
      throw new KeyStoreFileError(
        `The key store ${path} is not a Gondola key store, or was edited (${parsed.error.issues[0]?.path.join('.') ?? 'shape'}).`,
        path,
        { metaMessages: ['Restore the gondola.key_stores row from a backup.'] },
      )
    return parsed.data
  }
  return {
    path,
    splitSealing: true,
    async read() {
      const [row] = await db.query<{ doc: unknown }>('SELECT doc FROM gondola.key_stores WHERE scope = $1', [scope])
      return parse(row?.doc)
    },
    update: (change) =>
      db.transaction(async (tx) => {
        // The row exists before it is locked, so two first writers also queue on it.
        await tx.query('INSERT INTO gondola.key_stores (scope, doc) VALUES ($1, NULL) ON CONFLICT (scope) DO NOTHING', [scope])
        const [row] = await tx.query<{ doc: unknown }>('SELECT doc FROM gondola.key_stores WHERE scope = $1 FOR UPDATE', [scope])
        const { file, result } = change(parse(row?.doc))
        await tx.query('UPDATE gondola.key_stores SET doc = $2, updated_at = now() WHERE scope = $1', [scope, JSON.stringify(file)])
        return result
      }),
    async lockMint(timeoutMs) {
      try {
        return await acquireAdvisoryLock({ db, name: `keys-mint:${scope}`, timeoutMs })
      } catch (err) {
        if (err instanceof AdvisoryLockTimeoutError) throw new WalletLockedError(err.lockPath, err.holder, timeoutMs, { cause: err })
        throw err
      }
    },
  }
}

/**
 * Opens the fleet's key store. The treasury passes `password` (and `fleetSecret`, to mint agents' keys); an
 * agent worker passes `fleetSecret` only.
 *
 * @throws {KeyStoreFileError} when a given secret does not open the keys it seals.
 *
 * @example
 * ```ts
 * const store = await openPgKeyStore(db, { fleetSecret: env.GONDOLA_FLEET_SECRET })
 * const apiKey = store.reveal(store.keys('INFERENCE')[0]!.id)
 * ```
 */
export function openPgKeyStore(
  db: Database,
  options: { scope?: string | undefined; password?: string | undefined; fleetSecret?: string | undefined; locks?: KeyStoreLockOptions | undefined } = {},
): Promise<KeyStore> {
  return KeyStore.openWith({
    backend: pgKeyStoreBackend(db, { scope: options.scope }),
    password: options.password,
    fleetSecret: options.fleetSecret,
    locks: options.locks,
  })
}
