/**
 * API keys: created by the web3 flow or `POST /api_keys`, stored by SHA-256 hash only (the plain
 * key is returned once and never kept or logged), with per-key spend totals per epoch and day.
 */
import * as nodeCrypto from 'node:crypto'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Address } from 'viem'

export type ApiKeyType = 'INFERENCE' | 'ADMIN'
export type LimitPeriod = 'EPOCH' | 'MONTH' | 'LIFETIME'
export type ModelPrivacy = 'ALL' | 'PRIVATE_TEXT' | 'PRIVATE_ONLY'
export type Limits = { usd: number | null; diem: number | null; vcu: number | null }
type Spend = { usd: number; diem: number }

/** A stored key. `hash` is SHA-256 of the key; the key itself is not stored. */
export type ApiKeyRecord = {
  id: string
  hash: string
  last6Chars: string
  owner: Address
  apiKeyType: ApiKeyType
  description: string
  createdAt: number
  expiresAt: string | null
  consumptionLimit: Limits
  limitPeriod: LimitPeriod
  modelPrivacy: ModelPrivacy
  lastUsedAt: number | null
  /** Spend per epoch start (ms) and per UTC day start (ms), and lifetime. */
  byEpoch: Map<number, Spend>
  byDay: Map<number, Spend>
  lifetime: Spend
}

export type CreateKeyInput = {
  apiKeyType: ApiKeyType
  description?: string | undefined
  expiresAt?: string | undefined
  consumptionLimit?: Partial<Limits> | undefined
  limitPeriod?: LimitPeriod | undefined
  modelPrivacy?: ModelPrivacy | undefined
}

export type KeyStore = ReturnType<typeof createKeyStore>

/** SHA-256 of an API key, the only form in which keys are kept. */
export function hashKey(apiKey: string): string {
  // One-shot `crypto.hash` (Node ≥ 20.12) where present: every authenticated request hashes its key, and a
  // `Hash` object costs several times the digest. Same SHA-256 hex either way.
  return oneShotHash ? oneShotHash('sha256', apiKey, 'hex') : createHash('sha256').update(apiKey).digest('hex')
}

const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash

/**
 * `''`, `YYYY-MM-DD` or an ISO instant → ISO string or null. A date-only value is stored as the start of
 * that UTC day (default) or, with `dateOnly: 'end-of-day'`, as its last millisecond.
 *
 * @example
 * ```ts
 * normaliseExpiry('2026-12-31', 'end-of-day') // '2026-12-31T23:59:59.999Z'
 * ```
 */
export function normaliseExpiry(expiresAt: string | null | undefined, dateOnly: 'start-of-day' | 'end-of-day' = 'start-of-day'): string | null {
  if (!expiresAt) return null
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expiresAt)) return new Date(expiresAt).toISOString()
  return new Date(`${expiresAt}T${dateOnly === 'end-of-day' ? '23:59:59.999' : '00:00:00.000'}Z`).toISOString()
}

/**
 * An in-memory key store.
 *
 * @example
 * ```ts
 * const store = createKeyStore()
 * const { apiKey, record } = store.create('0xabc…', { apiKeyType: 'ADMIN' }, Date.now())
 * store.byKey(apiKey)?.id === record.id // true
 * ```
 */
export function createKeyStore() {
  const byHash = new Map<string, ApiKeyRecord>()
  const byId = new Map<string, ApiKeyRecord>()
  return {
    create(owner: Address, input: CreateKeyInput, now: number, dateOnly?: 'start-of-day' | 'end-of-day'): { apiKey: string; record: ApiKeyRecord } {
      const apiKey = randomBytes(30).toString('base64url')
      const record: ApiKeyRecord = {
        id: randomUUID(),
        hash: hashKey(apiKey),
        last6Chars: apiKey.slice(-6),
        owner,
        apiKeyType: input.apiKeyType,
        description: input.description ?? '',
        createdAt: now,
        expiresAt: normaliseExpiry(input.expiresAt, dateOnly),
        consumptionLimit: { usd: input.consumptionLimit?.usd ?? null, diem: input.consumptionLimit?.diem ?? null, vcu: input.consumptionLimit?.vcu ?? null },
        limitPeriod: input.limitPeriod ?? 'EPOCH',
        modelPrivacy: input.modelPrivacy ?? 'ALL',
        lastUsedAt: null,
        byEpoch: new Map(),
        byDay: new Map(),
        lifetime: { usd: 0, diem: 0 },
      }
      byHash.set(record.hash, record)
      byId.set(record.id, record)
      return { apiKey, record }
    },
    byKey: (apiKey: string): ApiKeyRecord | undefined => byHash.get(hashKey(apiKey)),
    byId: (id: string): ApiKeyRecord | undefined => byId.get(id),
    list: (owner: Address): ApiKeyRecord[] => [...byId.values()].filter((k) => k.owner === owner),
    delete(id: string): boolean {
      const rec = byId.get(id)
      if (!rec) return false
      byId.delete(id)
      byHash.delete(rec.hash)
      return true
    },
  }
}

/** Adds a spend to a key's totals. */
export function recordKeySpend(key: ApiKeyRecord, spend: Spend, epochStartMs: number, dayStartMs: number): void {
  addSpend(key.byEpoch, epochStartMs, spend)
  addSpend(key.byDay, dayStartMs, spend)
  key.lifetime.usd += spend.usd
  key.lifetime.diem += spend.diem
}

function addSpend(map: Map<number, Spend>, at: number, spend: Spend): void {
  const cur = map.get(at)
  if (cur) {
    cur.usd += spend.usd
    cur.diem += spend.diem
  } else map.set(at, { usd: 0 + spend.usd, diem: 0 + spend.diem })
}

/** A key's spend since `since` (ms) from its epoch buckets; `since = 0` is the lifetime total. */
export function keySpendSince(key: ApiKeyRecord, since: number, buckets: 'epoch' | 'day' = 'epoch'): Spend {
  if (since === 0) return { ...key.lifetime }
  const sum = { usd: 0, diem: 0 }
  for (const [at, s] of buckets === 'epoch' ? key.byEpoch : key.byDay) {
    if (at >= since) {
      sum.usd += s.usd
      sum.diem += s.diem
    }
  }
  return sum
}
