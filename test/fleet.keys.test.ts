import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openDatabase, openPgKeyStore, type Database } from '../src/fleet/index.js'
import { KeyStoreError, KeyStoreFileError } from '../src/keys/errors.js'
import type { KeyStore } from '../src/keys/KeyStore.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

const run = promisify(execFile)
let pg: TestPostgres
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(async () => {
  await pg?.stop()
})

const PASSWORD = 'treasury-password-only'
const FLEET = 'fleet-secret-for-every-worker'

async function freshDb(): Promise<{ url: string; db: Database }> {
  const url = await pg.createDatabase()
  const db = await openDatabase({ url })
  await migrate(db)
  return { url, db }
}

async function mint(store: KeyStore, id: string, apiKeyType: 'ADMIN' | 'INFERENCE', apiKey: string) {
  const attempt = await store.beginAttempt({ attemptId: id, description: `${id} [gondola:${id}]`, apiKeyType, wallet: '0xabc', apiOrigin: 'http://venice' })
  expect(store.pendingAttempts().map((a) => a.attemptId)).toContain(id)
  return store.completeAttempt(attempt.attemptId, {
    id: `key-${id}`,
    apiKeyType,
    apiKey,
    description: attempt.description,
    consumptionLimit: {},
    limitPeriod: null,
    expiresAt: null,
    wallet: '0xabc',
    apiOrigin: 'http://venice',
    agent: apiKeyType === 'INFERENCE' ? id : undefined,
    createdAt: new Date().toISOString(),
  })
}

describe('key store in Postgres', () => {
  it('the treasury stores ADMIN and INFERENCE keys; a worker with only the fleet secret reads INFERENCE keys, never the ADMIN key', async () => {
    const { db } = await freshDb()
    const treasury = await openPgKeyStore(db, { password: PASSWORD, fleetSecret: FLEET })
    await mint(treasury, 'admin1', 'ADMIN', 'vk_admin_SECRET_0123456789')
    await mint(treasury, 'bot', 'INFERENCE', 'vk_inference_SECRET_abcdef')
    expect(treasury.pendingAttempts()).toEqual([])

    // Sealed in the database: neither secret appears in the stored document.
    const [row] = await db.query<{ doc: string }>('SELECT doc::text AS doc FROM gondola.key_stores')
    expect(row!.doc).not.toContain('SECRET')
    expect(row!.doc).toContain('inferenceEncryption')

    const worker = await openPgKeyStore(db, { fleetSecret: FLEET })
    expect(worker.reveal('key-bot')).toBe('vk_inference_SECRET_abcdef')
    const denied = (() => {
      try {
        return worker.reveal('key-admin1')
      } catch (e) {
        return e
      }
    })()
    expect(denied).toBeInstanceOf(KeyStoreFileError)
    expect((denied as Error).message).toMatch(/ADMIN.*GONDOLA_KEYSTORE_PASSWORD.*treasury/)
    // It still lists the ADMIN key (redacted from its stored last characters), for `fleet status`.
    expect(worker.summaries().map((k) => [k.id, k.redacted])).toEqual([
      ['key-admin1', '…6789'],
      ['key-bot', 'vk_in…cdef'],
    ])
    // And it cannot store one: it does not hold the secret that seals ADMIN keys.
    const refused = await mint(worker, 'admin2', 'ADMIN', 'vk_admin_two_xxxxxxxxxxx').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(KeyStoreError)
    expect((refused as KeyStoreError).code).toBe('KEY_STORE_CANNOT_SEAL')
    // A worker with the wrong fleet secret is refused with the variable named.
    const wrong = await openPgKeyStore(db, { fleetSecret: 'not-the-fleet-secret' }).catch((e: unknown) => e)
    expect((wrong as Error).message).toMatch(/GONDOLA_FLEET_SECRET does not decrypt/)
    // The treasury's view after a refresh includes what others wrote; remove works.
    await mint(worker, 'bot2', 'INFERENCE', 'vk_inference_two_zzzzzz')
    await treasury.refresh()
    expect(treasury.keys('INFERENCE').map((k) => k.id)).toEqual(['key-bot', 'key-bot2'])
    await treasury.remove('key-bot')
    await worker.refresh()
    expect(worker.keys().map((k) => k.id)).toEqual(['key-admin1', 'key-bot2'])
    await db.close()
  })

  it('4 REAL processes storing 10 keys each at once: all 40 kept, no attempt left pending (row-locked read-modify-write)', async () => {
    const { url, db } = await freshDb()
    await Promise.all([0, 1, 2, 3].map(() => run(process.execPath, ['--import', 'tsx', 'test/fixtures/pgKeyWriter.ts', url, FLEET, '10'])))
    const store = await openPgKeyStore(db, { fleetSecret: FLEET })
    expect(store.keys('INFERENCE')).toHaveLength(40)
    expect(store.pendingAttempts()).toEqual([])
    for (const k of store.keys()) expect(store.reveal(k.id)).toBe(`vk_${k.id.slice(4)}_secretvalue`)
    await db.close()
  }, 60_000)

  it('the mint lock is one across processes and waits; past its timeout the second is told the store is busy', async () => {
    const { db } = await freshDb()
    const a = await openPgKeyStore(db, { fleetSecret: FLEET })
    const b = await openPgKeyStore(db, { fleetSecret: FLEET, locks: { mintTimeoutMs: 200 } })
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let entered!: () => void
    const inside = new Promise<void>((r) => (entered = r))
    const first = a.withMintLock(async () => {
      entered()
      await held
    })
    await inside
    const err = await b.withMintLock(async () => 'never').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KeyStoreError)
    expect((err as KeyStoreError).code).toBe('KEY_STORE_LOCKED')
    expect((err as Error).message).toContain(`process ${process.pid}`)
    release()
    await first
    expect(await b.withMintLock(async () => 'mine')).toBe('mine')
    await db.close()
  })
})
