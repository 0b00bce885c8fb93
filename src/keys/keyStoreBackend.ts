/**
 * Where a key store's document lives. The embedded default is one JSON file (0600, written atomically under a
 * lock file); fleet mode keeps it in Postgres (src/fleet/state/pgKeyStore.ts). `KeyStore` holds the secrets and
 * the sealing; a backend only reads, read-modify-writes atomically, and provides the mint lock.
 */
import { atomicWrite } from '../util/atomicWrite.js'
import { lockFile } from '../util/fileLock.js'
import { readKeyStoreFile } from './keyStoreFile.js'
import type { KeyStoreFile } from './keyStoreSchema.js'

export type KeyStoreBackend = {
  /** What the store is, for messages: a file path, or `postgres://***@host/db#keys:<scope>`. */
  readonly path: string
  /**
   * True when INFERENCE and ADMIN secrets are sealed under different secrets (fleet mode): INFERENCE keys under
   * `GONDOLA_FLEET_SECRET` (agent workers have it), the ADMIN key under `GONDOLA_KEYSTORE_PASSWORD` (the treasury
   * only). False for the file store: one password for both, as always.
   */
  readonly splitSealing: boolean
  /** The current document, or undefined before the first key. */
  read(): Promise<KeyStoreFile | undefined>
  /**
   * One atomic read-modify-write: `change` gets the freshest document (undefined if none) while no other
   * process can write, and returns the document to store. If `change` throws, nothing is written.
   */
  update<T>(change: (fresh: KeyStoreFile | undefined) => { file: KeyStoreFile; result: T }, timeoutMs: number, staleMs: number): Promise<T>
  /** The mint lock (one mint at a time across processes). @throws {WalletLockedError} past `timeoutMs`. */
  lockMint(timeoutMs: number, staleMs: number): Promise<{ readonly path: string; release(): Promise<void> }>
}

/**
 * The file backend: `path` (mode 0600), changed under `<path>.lock`, minting under `<path>.mint.lock`.
 *
 * @example
 * ```ts
 * const store = await KeyStore.openWith({ backend: fileKeyStoreBackend('.gondola/keys.json'), password })
 * ```
 */
export function fileKeyStoreBackend(path: string): KeyStoreBackend {
  return {
    path,
    splitSealing: false,
    read: () => readKeyStoreFile(path),
    async update(change, timeoutMs, staleMs) {
      const lock = await lockFile({ path, timeoutMs, staleMs })
      try {
        const { file, result } = change(await readKeyStoreFile(path))
        await atomicWrite(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
        return result
      } finally {
        await lock.release()
      }
    },
    lockMint: (timeoutMs, staleMs) => lockFile({ path: `${path}.mint`, timeoutMs, staleMs }),
  }
}
