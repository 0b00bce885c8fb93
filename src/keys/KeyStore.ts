import { readFile, stat } from 'node:fs/promises'
import { atomicWrite } from '../util/atomicWrite.js'
import { redact } from '../util/redact.js'
import { KeyStoreError } from './errors.js'
import { keyStoreFileSchema, type ApiKeyType, type KeyStoreFile, type MintAttempt, type StoredKey } from './keyStoreSchema.js'
import { SecretBox } from './secretBox.js'

/** A kept key as shown to people and logs: the secret reduced to a short prefix and suffix. */
export type KeySummary = Omit<StoredKey, 'secret'> & { redacted: string }

/** The secret is added to a stored key at write time; everything else is as Venice returned it. */
export type NewKey = Omit<StoredKey, 'secret' | 'last6'> & { apiKey: string }

/**
 * The key store: one JSON file in the state directory, mode 0600, written atomically,
 * ADMIN and INFERENCE keys in separate lists, secrets optionally sealed with a password.
 * Every change is written to disk before the method returns.
 *
 * @example
 * ```ts
 * const store = await KeyStore.open({ path: '.gondola/keys.json', password: process.argv[2] })
 * const attempt = await store.beginAttempt({ description: 'gondola:treasurer:1a2b', apiKeyType: 'INFERENCE', wallet, apiOrigin })
 * await store.completeAttempt(attempt.attemptId, { ...venicesAnswer, apiKey })
 * store.summaries() // secrets redacted
 * ```
 */
export class KeyStore {
  private constructor(
    readonly path: string,
    private file: KeyStoreFile,
    private readonly box: SecretBox | undefined,
  ) {}

  /** Opens (or creates on first write) the store. With a password, secrets are sealed with AES-256-GCM. */
  static async open(options: { path: string; password?: string | undefined }): Promise<KeyStore> {
    const raw = await readFile(options.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw new KeyStoreError(`Cannot read the key store at ${options.path}.`, { cause: err })
    })
    if (raw === undefined) {
      const box = options.password ? SecretBox.create(options.password) : undefined
      return new KeyStore(options.path, { version: 1, encryption: box?.params ?? null, admin: [], inference: [], pending: [], recentMints: [] }, box)
    }
    const mode = (await stat(options.path)).mode & 0o777
    if (mode & 0o077) {
      throw new KeyStoreError(`The key store ${options.path} is readable by other users (mode ${mode.toString(8)}).`, {
        metaMessages: [`Run: chmod 600 ${options.path}`],
      })
    }
    const parsed = keyStoreFileSchema.safeParse(JSON.parse(raw))
    if (!parsed.success) throw new KeyStoreError(`The key store ${options.path} is not a Gondola key store.`, { details: parsed.error.issues[0]?.message })
    const file = parsed.data
    let box: SecretBox | undefined
    if (file.encryption) {
      if (!options.password) throw new KeyStoreError('The key store is encrypted: a password is needed.', { metaMessages: ['Set GONDOLA_KEYSTORE_PASSWORD.'] })
      box = SecretBox.open(options.password, file.encryption)
      const sample = [...file.admin, ...file.inference][0]
      if (sample && typeof sample.secret !== 'string') {
        try {
          box.unseal(sample.secret)
        } catch {
          throw new KeyStoreError('Wrong password for the key store.', { metaMessages: ['Check GONDOLA_KEYSTORE_PASSWORD.'] })
        }
      }
    }
    return new KeyStore(options.path, file, box)
  }

  /** Keys of one type (or all), without secrets. */
  summaries(type?: ApiKeyType): KeySummary[] {
    return this.keys(type).map(({ secret, ...rest }) => ({ ...rest, redacted: redact(this.unseal(secret)) }))
  }

  /** Kept keys, secrets still sealed. */
  keys(type?: ApiKeyType): StoredKey[] {
    if (type === 'ADMIN') return [...this.file.admin]
    if (type === 'INFERENCE') return [...this.file.inference]
    return [...this.file.admin, ...this.file.inference]
  }

  /** Finds a key by id or by a prefix of its id. */
  find(idOrPrefix: string): StoredKey | undefined {
    return this.keys().find((k) => k.id === idOrPrefix) ?? this.keys().find((k) => k.id.startsWith(idOrPrefix))
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

  /** Records a mint about to be sent. Written before the request leaves. */
  async beginAttempt(attempt: Omit<MintAttempt, 'attemptId' | 'startedAt'> & { attemptId: string }, now = Date.now()): Promise<MintAttempt> {
    const full: MintAttempt = { ...attempt, startedAt: new Date(now).toISOString() }
    this.file.pending.push(full)
    this.file.recentMints = [...this.recentMints(now), now]
    await this.save()
    return full
  }

  /** Stores the minted key and clears its attempt in one atomic write: the first thing done with a new key. */
  async completeAttempt(attemptId: string, key: NewKey): Promise<StoredKey> {
    const { apiKey, ...rest } = key
    const stored: StoredKey = { ...rest, secret: this.box ? this.box.seal(apiKey) : apiKey, last6: apiKey.slice(-6) }
    const list = stored.apiKeyType === 'ADMIN' ? this.file.admin : this.file.inference
    list.push(stored)
    this.file.pending = this.file.pending.filter((a) => a.attemptId !== attemptId)
    await this.save()
    return stored
  }

  /** Drops an attempt whose outcome is known (rejected, or reconciled). */
  async abandonAttempt(attemptId: string): Promise<void> {
    this.file.pending = this.file.pending.filter((a) => a.attemptId !== attemptId)
    await this.save()
  }

  /** Forgets a key (after revoking it, or when the server no longer knows it). */
  async remove(id: string): Promise<void> {
    this.file.admin = this.file.admin.filter((k) => k.id !== id)
    this.file.inference = this.file.inference.filter((k) => k.id !== id)
    await this.save()
  }

  private unseal(secret: StoredKey['secret']): string {
    if (typeof secret === 'string') return secret
    if (!this.box) throw new KeyStoreError('The key store holds sealed secrets but was opened without a password.')
    return this.box.unseal(secret)
  }

  private async save(): Promise<void> {
    await atomicWrite(this.path, `${JSON.stringify(this.file, null, 2)}\n`, { mode: 0o600 })
  }
}
