import { AsyncLocalStorage } from 'node:async_hooks'
import { ExitCode } from '../errors/exitCodes.js'
import { redact } from '../util/redact.js'
import { FileLockedError } from '../util/fileLock.js'
import { KeyStoreError, KeyStoreFileError } from './errors.js'
import { fileKeyStoreBackend, type KeyStoreBackend } from './keyStoreBackend.js'
import { checkSealedSecrets } from './keyStoreFile.js'
import type { ApiKeyType, KeyStoreFile, MintAttempt, StoredKey } from './keyStoreSchema.js'
import { SecretBox } from './secretBox.js'

/** The boxes that seal each type of key: the same one for both in the file store; separate ones in fleet mode. */
type Boxes = { admin: SecretBox | undefined; inference: SecretBox | undefined }

/** The secrets a process was given: the keystore password (treasury) and, in fleet mode, the fleet secret (every worker). */
type Secrets = { password: string | undefined; fleetSecret: string | undefined }

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

  readonly path: string

  private constructor(
    private readonly backend: KeyStoreBackend,
    private file: KeyStoreFile,
    private boxes: Boxes,
    private readonly secrets: Secrets,
    private readonly locks: Required<KeyStoreLockOptions>,
  ) {
    this.path = backend.path
  }

  /**
   * Opens (or creates on first write) the store. With a password, secrets are sealed with AES-256-GCM.
   *
   * @throws {KeyStoreFileError} when the file is unreadable, damaged, readable by others, or does not decrypt.
   */
  static async open(options: { path: string; password?: string | undefined; locks?: KeyStoreLockOptions | undefined }): Promise<KeyStore> {
    return KeyStore.openWith({ backend: fileKeyStoreBackend(options.path), password: options.password, locks: options.locks })
  }

  /**
   * Opens the store kept by `backend` (the file one, or Postgres in fleet mode). With a split-sealing backend,
   * INFERENCE secrets are sealed under `fleetSecret` and the ADMIN key under `password`: a worker given only the
   * fleet secret reads its INFERENCE keys and can neither read nor store the ADMIN key.
   *
   * @throws {KeyStoreFileError} when the document is damaged or a given secret does not open it.
   *
   * @example
   * ```ts
   * const store = await KeyStore.openWith({ backend: pgKeyStoreBackend(db), fleetSecret: env.GONDOLA_FLEET_SECRET })
   * store.reveal(store.keys('INFERENCE')[0]!.id) // works; revealing the ADMIN key throws
   * ```
   */
  static async openWith(options: {
    backend: KeyStoreBackend
    password?: string | undefined
    fleetSecret?: string | undefined
    locks?: KeyStoreLockOptions | undefined
  }): Promise<KeyStore> {
    const secrets: Secrets = { password: options.password || undefined, fleetSecret: options.fleetSecret || undefined }
    const locks = {
      timeoutMs: options.locks?.timeoutMs ?? 30_000,
      mintTimeoutMs: options.locks?.mintTimeoutMs ?? 600_000,
      staleMs: options.locks?.staleMs ?? 60_000,
    }
    const { backend } = options
    const file = await backend.read()
    if (!file) {
      const box = !backend.splitSealing && secrets.password ? SecretBox.create(secrets.password) : undefined
      const boxes = { admin: box, inference: box }
      return new KeyStore(backend, emptyFile(backend.splitSealing, secrets, boxes), boxes, secrets, locks)
    }
    return new KeyStore(backend, file, boxesOf(file, secrets, backend), secrets, locks)
  }

  /** Keys of one type (or all), without secrets. */
  summaries(type?: ApiKeyType): KeySummary[] {
    // A worker without the ADMIN key's secret still lists it, by the last characters stored beside it.
    return this.keys(type).map(({ secret, ...rest }) => ({
      ...rest,
      redacted: this.canUnseal(rest.apiKeyType, secret) ? redact(this.unseal(rest.apiKeyType, secret)) : `…${rest.last6.slice(-4)}`,
    }))
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
    return this.unseal(key.apiKeyType, key.secret)
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
    const file = await this.backend.read()
    if (!file) return
    this.boxes = boxesOf(file, this.secrets, this.backend, this.boxes)
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
      const lock = await this.lock(() => this.backend.lockMint(this.locks.mintTimeoutMs, this.locks.staleMs), this.locks.mintTimeoutMs, 'mint')
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
      const box = this.sealerFor(rest.apiKeyType, file)
      const stored: StoredKey = { ...rest, secret: box ? box.seal(apiKey) : apiKey, last6: apiKey.slice(-6) }
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

  private canUnseal(type: ApiKeyType, secret: StoredKey['secret']): boolean {
    return typeof secret === 'string' || this.boxOf(type) !== undefined
  }

  private boxOf(type: ApiKeyType): SecretBox | undefined {
    return type === 'ADMIN' ? this.boxes.admin : this.boxes.inference
  }

  private unseal(type: ApiKeyType, secret: StoredKey['secret']): string {
    if (typeof secret === 'string') return secret
    const box = this.boxOf(type)
    if (!box) {
      const needed = this.backend.splitSealing && type === 'INFERENCE' ? 'GONDOLA_FLEET_SECRET' : 'GONDOLA_KEYSTORE_PASSWORD'
      const role = this.backend.splitSealing && type === 'ADMIN' ? ' (in fleet mode only the treasury holds it)' : ''
      throw new KeyStoreFileError(`The key store ${this.path} holds sealed ${type} secrets but was opened without ${needed}${role}.`, this.path, {
        metaMessages: [`Set ${needed}.`],
      })
    }
    try {
      return box.unseal(secret)
    } catch (cause) {
      throw new KeyStoreFileError(`A secret in the key store ${this.path} fails its integrity check (tampered or damaged).`, this.path, {
        cause,
        metaMessages: [`Restore ${this.path} from a backup.`],
      })
    }
  }

  /**
   * The box that seals a new key of `type` into `file` (undefined: kept plain, the file store without a
   * password). With split sealing a secret is never stored plain: the header is created on first use when this
   * process holds the secret, and a process without it cannot store that type of key.
   */
  private sealerFor(type: ApiKeyType, file: KeyStoreFile): SecretBox | undefined {
    if (!this.backend.splitSealing) return this.boxes.admin
    const current = this.boxOf(type)
    if (current) return current
    const secret = type === 'ADMIN' ? this.secrets.password : this.secrets.fleetSecret
    const header = type === 'ADMIN' ? file.encryption : file.inferenceEncryption
    const variable = type === 'ADMIN' ? 'GONDOLA_KEYSTORE_PASSWORD' : 'GONDOLA_FLEET_SECRET'
    // With the secret, the box exists whenever the header does (boxesOf opened it): only a missing secret is left.
    if (!secret || header)
      throw new KeyStoreError(
        `Cannot store a new ${type} key in ${this.path}: fleet mode seals ${type} keys under ${variable}, which this process was not given.`,
        {
          metaMessages: [
            type === 'ADMIN'
              ? 'Mint ADMIN keys on the treasury (the worker started with the keystore and its password).'
              : `Give every worker the same ${variable}.`,
          ],
          code: 'KEY_STORE_CANNOT_SEAL',
          exitCode: ExitCode.config,
        },
      )
    const box = SecretBox.create(secret)
    if (type === 'ADMIN') {
      file.encryption = box.params
      this.boxes = { ...this.boxes, admin: box }
    } else {
      file.inferenceEncryption = box.params
      this.boxes = { ...this.boxes, inference: box }
    }
    return box
  }

  /** One change: the backend's atomic read-modify-write (file: lock, re-read, write 0600; Postgres: a row lock). */
  private async update<T>(change: (file: KeyStoreFile) => T): Promise<T> {
    return this.lock(
      () =>
        this.backend.update(
          (fresh) => {
            if (fresh) this.boxes = boxesOf(fresh, this.secrets, this.backend, this.boxes)
            const file = fresh ?? emptyFile(this.backend.splitSealing, this.secrets, this.boxes)
            const result = change(file)
            this.file = file
            return { file, result }
          },
          this.locks.timeoutMs,
          this.locks.staleMs,
        ),
      this.locks.timeoutMs,
      'store',
    )
  }

  private async lock<T>(take: () => Promise<T>, timeoutMs: number, what: 'store' | 'mint'): Promise<T> {
    try {
      return await take()
    } catch (err) {
      if (!(err instanceof FileLockedError)) throw err
      const holder = err.holder ? `process ${err.holder.pid} on ${err.holder.hostname}` : 'another process'
      throw new KeyStoreError(
        `The key store ${this.path} is busy: ${holder} holds its ${what} lock (${err.lockPath}); gave up after ${Math.round(timeoutMs / 1000)} s.`,
        {
          cause: err,
          metaMessages: [
            'Wait for that process to finish and run the command again.',
            this.backend.splitSealing ? 'The lock is freed as soon as its holder exits.' : `If it is no longer running, delete ${err.lockPath}.`,
          ],
          code: 'KEY_STORE_LOCKED',
        },
      )
    }
  }
}

/** An empty document: the file store seals both types under the password (if any); split sealing creates each header on first use. */
function emptyFile(split: boolean, secrets: Secrets, boxes?: Boxes): KeyStoreFile {
  const box = split ? undefined : (boxes?.admin ?? (secrets.password ? SecretBox.create(secrets.password) : undefined))
  return { version: 1, encryption: box?.params ?? null, admin: [], inference: [], pending: [], recentMints: [] }
}

/** The boxes for `file`'s headers (reusing `current` when a header is unchanged), each checked against the secrets it seals. */
function boxesOf(file: KeyStoreFile, secrets: Secrets, backend: KeyStoreBackend, current?: Boxes): Boxes {
  const path = backend.path
  if (!backend.splitSealing) {
    const box = openBox(file.encryption, secrets.password, path, current?.admin, true)
    if (box) checkSealedSecrets(file, box, path)
    return { admin: box, inference: box }
  }
  // Split sealing: each box opens only with its own secret; a missing secret leaves that type sealed.
  const admin = openBox(file.encryption, secrets.password, path, current?.admin, false)
  const inference = openBox(file.inferenceEncryption ?? null, secrets.fleetSecret, path, current?.inference, false)
  if (admin) checkSealedSecrets({ ...file, inference: [] }, admin, path)
  if (inference) checkSealedSecrets({ ...file, admin: [] }, inference, path, 'GONDOLA_FLEET_SECRET')
  return { admin, inference }
}

function openBox(
  header: KeyStoreFile['encryption'],
  secret: string | undefined,
  path: string,
  current: SecretBox | undefined,
  required: boolean,
): SecretBox | undefined {
  if (!header) return undefined
  if (!secret) {
    if (!required) return undefined
    throw new KeyStoreFileError(`The key store ${path} is encrypted: a password is needed.`, path, { metaMessages: ['Set GONDOLA_KEYSTORE_PASSWORD.'] })
  }
  if (current && JSON.stringify(current.params) === JSON.stringify(header)) return current
  try {
    return SecretBox.open(secret, header)
  } catch (cause) {
    throw new KeyStoreFileError(`The key store ${path} has an invalid "encryption" header (edited or damaged).`, path, {
      cause,
      metaMessages: [`Restore ${path} from a backup.`],
    })
  }
}
