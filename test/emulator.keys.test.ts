import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { ALICE, call, expectSpecResponse, useEmulator } from './helpers/useEmulator.js'

const BOB: Address = '0x0000000000000000000000000000000000000B0B'
const CAROL: Address = '0x0000000000000000000000000000000000000CA0'
// Fixed clock: 2026-03-10 12:00 UTC. ALICE: 10 % of the pool = 1 Diem/epoch; BOB and CAROL: 0.01 Diem.
const emulator = useEmulator({
  clock: () => Date.UTC(2026, 2, 10, 12),
  dailyPoolDiem: 10,
  maxActiveKeys: 5,
  stakes: {
    [ALICE]: { svvv: 10n ** 18n },
    [BOB]: { svvv: 10n ** 16n },
    [CAROL]: { svvv: 10n ** 16n },
    '0x00000000000000000000000000000000000000FF': { svvv: 898n * 10n ** 16n },
  },
})

const chat = (apiKey: string, content = 'hi', model = 'qwen3-4b') =>
  new OpenAI({ apiKey, baseURL: emulator().baseURL, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content }] })

describe('/api_keys management', () => {
  it('lets ADMIN keys list, create, read, update and delete; INFERENCE keys get 401', async () => {
    const admin = emulator().createKey(ALICE, { apiKeyType: 'ADMIN' }).apiKey
    const inference = emulator().createKey(ALICE).apiKey
    const created = await call(emulator().baseURL, '/api_keys', {
      apiKey: admin,
      body: { apiKeyType: 'INFERENCE', description: 'bot', expiresAt: '2026-04-01', consumptionLimit: { usd: 2 } },
    })
    expect(created.status).toBe(200)
    expectSpecResponse('/api_keys', 'post', 200, created.json)
    expect(created.json.data).toMatchObject({ expiresAt: '2026-04-01T00:00:00.000Z', consumptionLimit: { usd: 2, diem: null } })
    const id = created.json.data.id as string
    const one = await call(emulator().baseURL, `/api_keys/${id}`, { apiKey: admin })
    expectSpecResponse('/api_keys/{id}', 'get', 200, one.json)
    expect(one.json.data).toMatchObject({ description: 'bot', currentPeriodUsage: { usd: '0.0000', diem: '0.0000' } })
    const patched = await call(emulator().baseURL, '/api_keys', { apiKey: admin, method: 'PATCH', body: { id, description: 'renamed' } })
    expectSpecResponse('/api_keys', 'patch', 200, patched.json)
    expect(patched.json.data.description).toBe('renamed')
    const denied = await call(emulator().baseURL, '/api_keys', { apiKey: inference })
    expect(denied.status).toBe(401)
    expectSpecResponse('/api_keys', 'get', 401, denied.json)
    const bad = await call(emulator().baseURL, '/api_keys', { apiKey: admin, body: { apiKeyType: 'NOPE', description: 'x' } })
    expect(bad.status).toBe(400)
    expectSpecResponse('/api_keys', 'post', 400, bad.json)
    const del = await call(emulator().baseURL, `/api_keys?id=${id}`, { apiKey: admin, method: 'DELETE' })
    expect(del.json).toEqual({ success: true })
    expectSpecResponse('/api_keys', 'delete', 200, del.json)
    expect((await call(emulator().baseURL, '/api_keys', { apiKey: admin })).json.data).toHaveLength(2)
    const limits = await call(emulator().baseURL, '/api_keys/rate_limits', { apiKey: admin })
    expectSpecResponse('/api_keys/rate_limits', 'get', 200, limits.json)
    expect(limits.json.data).toMatchObject({ accessPermitted: true, balances: { DIEM: 1, USD: 0 }, nextEpochBegins: '2026-03-11T00:00:00.000Z' })
    expect(limits.json.data.rateLimits.find((r: { apiModelId: string }) => r.apiModelId === 'qwen3-4b').rateLimits).toContainEqual({ amount: 500, type: 'RPM' })
  })

  it('caps active keys per user and limits creation to 20 per minute', async () => {
    for (let i = 0; i < 5; i++) emulator().createKey(CAROL)
    expect(() => emulator().createKey(CAROL)).toThrow(/Maximum of 5|500 active/)
    const owner = '0x0000000000000000000000000000000000000D0D' as Address
    const first = emulator().createKey(owner, { apiKeyType: 'ADMIN' })
    // Deleting keeps the active count low; the per-minute limit still bites at 20 creations.
    for (let i = 1; i < 20; i++) {
      const created = await call(emulator().baseURL, '/api_keys', { apiKey: first.apiKey, body: { apiKeyType: 'INFERENCE', description: `k${i}` } })
      expect(created.status).toBe(200)
      await call(emulator().baseURL, `/api_keys?id=${created.json.data.id}`, { apiKey: first.apiKey, method: 'DELETE' })
    }
    const limited = await call(emulator().baseURL, '/api_keys', { apiKey: first.apiKey, body: { apiKeyType: 'INFERENCE', description: 'k20' } })
    expect(limited.status).toBe(429)
    expectSpecResponse('/api_keys', 'post', 429, limited.json)
    emulator().advance(61_000)
    expect((await call(emulator().baseURL, '/api_keys', { apiKey: first.apiKey, body: { apiKeyType: 'INFERENCE', description: 'later' } })).status).toBe(200)
  })
})

describe('consumption limits and epochs', () => {
  it('402s a key over its DIEM limit; EPOCH limits reset at the next 00:00 UTC, LIFETIME ones never', async () => {
    const epochKey = emulator().createKey(ALICE, { consumptionLimit: { diem: 0.00001 }, limitPeriod: 'EPOCH' }).apiKey
    const lifetimeKey = emulator().createKey(ALICE, { consumptionLimit: { diem: 0.00001 }, limitPeriod: 'LIFETIME' }).apiKey
    const long = 'x'.repeat(800) // ~200 prompt tokens at $0.05/1M ≈ 0.00001 Diem
    await chat(epochKey, long)
    await chat(lifetimeKey, long)
    const over = await chat(epochKey).catch((e: unknown) => e)
    expect(over).toMatchObject({ status: 402, error: 'API key DIEM spend limit exceeded' })
    expect(await chat(lifetimeKey).catch((e: unknown) => e)).toMatchObject({ status: 402 })
    const now = emulator().now()
    emulator().setClock(Date.UTC(2026, 2, 11, 0, 0, 1)) // next epoch
    try {
      expect((await chat(epochKey)).choices).toHaveLength(1)
      expect(await chat(lifetimeKey).catch((e: unknown) => e)).toMatchObject({ status: 402, error: 'API key DIEM spend limit exceeded' })
    } finally {
      emulator().setClock(now)
    }
  })

  it('spends Diem first, then USD; a USD limit stops USD spending; nothing left → 402', async () => {
    const key = emulator().createKey(BOB, { consumptionLimit: { usd: 0.5 } }).apiKey
    emulator().setUsdBalance(BOB, 10)
    // kimi-k3 costs $18.75 per 1M output tokens: a long answer exhausts BOB's 0.01 Diem quickly.
    const big = 'y'.repeat(40_000)
    const first = await chat(key, big, 'kimi-k3').withResponse()
    expect(first.response.headers.get('x-venice-balance-diem')).toBe('0.01')
    const cost1 = (first.data as unknown as { cost: { diem: number; usd: number } }).cost
    expect(cost1.diem).toBeGreaterThan(0)
    let last = cost1
    for (let i = 0; i < 40 && last.diem > 0; i++) last = ((await chat(key, big, 'kimi-k3')) as unknown as { cost: { diem: number; usd: number } }).cost
    expect((await emulator().balances(BOB)).diem).toBe(0)
    let err: unknown
    for (let i = 0; i < 40 && !err; i++)
      err = await chat(key, big, 'kimi-k3').then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toMatchObject({ status: 402, error: 'API key USD spend limit exceeded' })
    expect((await emulator().balances(BOB)).usd).toBeCloseTo(9.5, 6)
    const unlimited = emulator().createKey(BOB).apiKey
    emulator().setUsdBalance(BOB, 0)
    expect(await chat(unlimited).catch((e: unknown) => e)).toMatchObject({ status: 402, error: 'Insufficient USD or Diem balance to complete request' })
  })

  it('expires keys at expiresAt on the emulator clock', async () => {
    const key = emulator().createKey(ALICE, { expiresAt: '2026-03-10T13:00:00.000Z' }).apiKey
    expect((await chat(key)).choices).toHaveLength(1)
    emulator().advance(3_600_000)
    try {
      expect(await chat(key).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.AuthenticationError)
    } finally {
      emulator().advance(-3_600_000)
    }
  })
})
