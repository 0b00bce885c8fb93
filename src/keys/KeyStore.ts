import { AsyncLocalStorage } from 'node:async_hooks'
import { ExitCode } from '../errors/exitCodes.js'
import { atomicWrite } from '../util/atomicWrite.js'
import { redact } from '../util/redact.js'
import { WalletLockedError } from '../wallet/errors.js'
import { lockJournal, type JournalLock } from '../wallet/journal/lockJournal.js'
import { KeyStoreError, KeyStoreFileError } from './errors.js'
import { checkSealedSecrets, readKeyStoreFile } from './keyStoreFile.js'
import type { ApiKeyType, KeyStoreFile, MintAttempt, StoredKey } from './keyStoreSchema.js'
import { SecretBox } from './secretBox.js'

/** A kept key as shown to people and logs: the secret reduced to a short prefix and suffix. */
export type KeySummary = Omit<StoredKey, 'secret'> & { redacted: string }

/** The secret is added to a stored key at write time; everything else is as Venice returned it. */
export type NewKey = Omit<StoredKey, 'secret' | 'last6'> & { apiKey: string }

/** Lock timings: the file lock covers one read-modify-write; the mint lock covers a whole mint (token, POST, read-back). */
export type KeyStoreLockOptions = { timeoutMs?: number | undefined; mintTimeoutMs?: number | undefined; staleMs?: number | undefined }

/** Store paths whose mint lock the current async context holds (so nested `withMintLock` calls do not deadlock). */
const mintLocksHeld = new AsyncLocalStorage<ReadonlySet<string>>()

/**
 * The key store: one JSON file in the state directory, mode 0600, written atomically, ADMIN and INFERENCE
 * keys in separate lists, secrets optionally sealed with a password.
 *
 * Several processes may share it: every change is a read-modify-write under an inter-process lock
 * (`keys.json.lock`, the wallet journal's lock implementation), so no process ever writes back a stale copy
 * and drops another's key or mint attempt. Minting takes a second, longer lock (`withMintLock`), so a
 * reconciliation never mistakes another process's in-flight mint for an orphan. A file that cannot be read
 * is never written over.
 *
 * @example
 * ```ts
 * const store = await KeyStore.open({ path: '.gondola/keys.json', password: process.argv[2] })
 * const attempt = await store.beginAttempt({ attemptId: '1a2b3c4d5e6f', description: 'treasurer [gondola:1a2b3c4d5e6f]', apiKeyType: 'INFERENCE', wallet, apiOrigin })
 * await store.completeAttempt(attempt.attemptId, { ...venicesAnswer, apiKey })
 * store.summaries() // secrets redacted
 * ```
 */
export class KeyStore {
  private mintQueue: Promise<void> = Promise.resolve()

  private constructor(
    readonly path: string,
    private file: KeyStoreFile,
    private box: SecretBox | undefined,
    private readonly password: string | undefined,
    private readonly locks: Required<KeyStoreLockOptions>,
  ) {}

  /**
   * Opens (or creates on first write) the store. With a password, secrets are sealed with AES-256-GCM.
   *
   * @throws {KeyStoreFileError} when the file is unreadable, damaged, readable by others, or does not decrypt.
   */
  static async open(options: { path: string; password?: string | undefined; locks?: KeyStoreLockOptions | undefined }): Promise<KeyStore> {
    const password = options.password || undefined
    const locks = { timeoutMs: options.locks?.timeoutMs ?? 30_000, mintTimeoutMs: options.locks?.mintTimeoutMs ?? 600_000, staleMs: options.locks?.staleMs ?? 60_000 }
    const file = await readKeyStoreFile(options.path)
    if (!file) {
      const box = password ? SecretBox.create(password) : undefined
      return new KeyStore(options.path, emptyFile(box), box, password, locks)
    }
    return new KeyStore(options.path, file, openBox(file, password, options.path), password, locks)
  }

  /** Keys of one type (or all), without secrets. */
  summaries(type?: ApiKeyType): KeySummary[] {
    return this.keys(type).map(({ secret, ...rest }) => ({ ...rest, redacted: redact(this.unseal(secret)) }))
  }

  /** Kept keys, secrets still sealed (as of the last read: see `refresh`). */
  keys(type?: ApiKeyType): StoredKey[] {
    if (type === 'ADMIN') return [...this.file.admin]
    if (type === 'INFERENCE') return [...this.file.inference]
    return [...this.file.admin, ...this.file.inference]
  }

  /**
   * Finds a key by id or by a unique prefix of its id.
   *
   * @throws {KeyStoreError} when the prefix matches several keys (revoking "the first" could hit the wrong one).
   */
  find(idOrPrefix: string): StoredKey | undefined {
    const exact = this.keys().find((k) => k.id === idOrPrefix)
    if (exact || idOrPrefix === '') return exact
    const matches = this.keys().filter((k) => k.id.startsWith(idOrPrefix))
    if (matches.length > 1) {
      throw new KeyStoreError(`"${idOrPrefix}" matches ${matches.length} keys: ${matches.map((k) => k.id.slice(0, 13)).join(', ')}.`, {
        metaMessages: ['Give more characters of the id (see `gondola keys list`).'],
        code: 'KEY_ID_AMBIGUOUS',
        exitCode: ExitCode.usage,
      })
    }
    return matches[0]
  }

  /** The plain secret of a kept key. Hand it only to the HTTP client that needs it. */
  reveal(id: string): string {
    const key = this.keys().find((k) => k.id === id)
    if (!key) throw new KeyStoreError(`No key with id ${id} in the key store.`)
    return this.unseal(key.secret)
  }

  pendingAttempts(filter?: { wallet: string; apiOrigin: string }): MintAttempt[] {
    return this.file.pending.filter((a) => !filter || (a.wallet === filter.wallet && a.apiOrigin === filter.apiOrigin))
  }

  /** Creation timestamps within the last minute (for the 20-per-minute limit). */
  recentMints(now: number): number[] {
    return this.file.recentMints.filter((t) => now - t < 60_000)
  }

  /** Re-reads the file: another process may have changed it since. */
  async refresh(): Promise<void> {
    const file = await readKeyStoreFile(this.path)
    if (!file) return
    this.box = openBox(file, this.password, this.path, this.box)
    this.file = file
  }

  /**
   * Runs `fn` holding the store's mint lock: one mint (or provisioning pass) at a time across processes, so
   * a pending attempt seen under the lock was left by a run that is over. Re-entrant within one async context.
   */
  async withMintLock<T>(fn: () => Promise<T>): Promise<T> {
    const held = mintLocksHeld.getStore()
    if (held?.has(this.path)) return fn()
    const previous = this.mintQueue
    let done!: () => void
    this.mintQueue = new Promise<void>((resolve) => (done = resolve))
    await previous
    try {
      const lock = await this.lock(`${this.path}.mint`, this.locks.mintTimeoutMs, 'mint')
      try {
        await this.refresh()
        return await mintLocksHeld.run(new Set([...(held ?? []), this.path]), fn)
      } finally {
        await lock.release()
      }
    } finally {
      done()
    }
  }

  /** Records a mint about to be sent. Written before the request leaves. */
  async beginAttempt(attempt: Omit<MintAttempt, 'attemptId' | 'startedAt'> & { attemptId: string }, now = Date.now()): Promise<MintAttempt> {
    const full: MintAttempt = { ...attempt, startedAt: new Date(now).toISOString() }
    await this.update((file) => {
      file.pending.push(full)
      file.recentMints = [...file.recentMints.filter((t) => now - t < 60_000), now]
    })
    return full
  }

  /** Stores the minted key and clears its attempt in one atomic write: the first thing done with a new key. */
  async completeAttempt(attemptId: string, key: NewKey): Promise<StoredKey> {
    const { apiKey, ...rest } = key
    return this.update((file) => {
      const stored: StoredKey = { ...rest, secret: this.box ? this.box.seal(apiKey) : apiKey, last6: apiKey.slice(-6) }
      ;(stored.apiKeyType === 'ADMIN' ? file.admin : file.inference).push(stored)
      file.pending = file.pending.filter((a) => a.attemptId !== attemptId)
      return stored
    })
  }

  /** Drops an attempt whose outcome is known (rejected, or reconciled). */
  async abandonAttempt(attemptId: string): Promise<void> {
    await this.update((file) => {
      file.pending = file.pending.filter((a) => a.attemptId !== attemptId)
    })
  }

  /** Forgets a key (after revoking it, or when the server no longer knows it). */
  async remove(id: string): Promise<void> {
    await this.update((file) => {
      file.admin = file.admin.filter((k) => k.id !== id)
      file.inference = file.inference.filter((k) => k.id !== id)
    })
  }

  private unseal(secret: StoredKey['secret']): string {
    if (typeof secret === 'string') return secret
    if (!this.box) throw new KeyStoreFileError(`The key store ${this.path} holds sealed secrets but was opened without a password.`, this.path, { metaMessages: ['Set GONDOLA_KEYSTORE_PASSWORD.'] })
    try {
      return this.box.unseal(secret)
    } catch (cause) {
      throw new KeyStoreFileError(`A secret in the key store ${this.path} fails its integrity check (tampered or damaged).`, this.path, { cause, metaMessages: [`Restore ${this.path} from a backup.`] })
    }
  }

  /** One change: lock, re-read the file, apply `change` to the fresh copy, write it atomically (0600), unlock. */
  private async update<T>(change: (file: KeyStoreFile) => T): Promise<T> {
    const lock = await this.lock(this.path, this.locks.timeoutMs, 'store')
    try {
      const fresh = await readKeyStoreFile(this.path)
      if (fresh) this.box = openBox(fresh, this.password, this.path, this.box)
      const file = fresh ?? emptyFile(this.box)
      const result = change(file)
      await atomicWrite(this.path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
      this.file = file
      return result
    } finally {
      await lock.release()
    }
  }

  private async lock(base: string, timeoutMs: number, what: 'store' | 'mint'): Promise<JournalLock> {
    try {
      return await lockJournal({ journalPath: base, timeoutMs, staleMs: this.locks.staleMs })
    } catch (err) {
      if (!(err instanceof WalletLockedError)) throw err
      const holder = err.holder ? `process ${err.holder.pid} on ${err.holder.hostname}` : 'another process'
      throw new KeyStoreError(`The key store ${this.path} is busy: ${holder} holds its ${what} lock (${err.lockPath}); gave up after ${Math.round(timeoutMs / 1000)} s.`, {
        cause: err,
        metaMessages: ['Wait for that process to finish and run the command again.', `If it is no longer running, delete ${err.lockPath}.`],
        code: 'KEY_STORE_LOCKED',
      })
    }
  }
}

function emptyFile(box: SecretBox | undefined): KeyStoreFile {
  return { version: 1, encryption: box?.params ?? null, admin: [], inference: [], pending: [], recentMints: [] }
}

/** The box for `file`'s encryption header (reusing `current` when the header is the same), checked against every sealed secret. */
function openBox(file: KeyStoreFile, password: string | undefined, path: string, current?: SecretBox): SecretBox | undefined {
  if (!file.encryption) return undefined
  if (!password) throw new KeyStoreFileError(`The key store ${path} is encrypted: a password is needed.`, path, { metaMessages: ['Set GONDOLA_KEYSTORE_PASSWORD.'] })
  const same = current && JSON.stringify(current.params) === JSON.stringify(file.encryption)
  let box: SecretBox
  try {
    box = same ? current : SecretBox.open(password, file.encryption)
  } catch (cause) {
    throw new KeyStoreFileError(`The key store ${path} has an invalid "encryption" header (edited or damaged).`, path, { cause, metaMessages: [`Restore ${path} from a backup.`] })
  }
  checkSealedSecrets(file, box, path)
  return box
}
