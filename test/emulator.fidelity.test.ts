/**
 * Issue 11, emulator side: the published limits table, the documented headers, characters, the
 * per-account failure breaker, `max_completion_tokens`, and the switches for ambiguous documented
 * behaviour (limit-header meaning, key-limit wording, date-only expiry). Responses are checked against
 * the official spec.
 */
import OpenAI from 'openai'
import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { call, expectSpecResponse, useEmulator } from './helpers/useEmulator.js'

const CAROL: Address = '0x00000000000000000000000000000000000CA401'
const DAVE: Address = '0x00000000000000000000000000000000000DA7E0'
const ERIN: Address = '0x00000000000000000000000000000000000E4140'
const stakes = Object.fromEntries([CAROL, DAVE, ERIN].map((a) => [a, { svvv: 10n ** 18n }]))
const emulator = useEmulator({ clock: () => Date.UTC(2026, 5, 1, 9, 30, 10), stakes, dailyPoolDiem: 100, adminEndpoint: true })

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: emulator().baseURL, maxRetries: 0 })
const ask = (apiKey: string, body: Record<string, unknown> = {}) =>
  client(apiKey)
    .chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }], ...body } as never)
    .withResponse()

describe('published paid-tier limits', () => {
  it('serves the docs table in /api_keys/rate_limits and enforces images at 20 RPM', async () => {
    const { apiKey } = emulator().createKey(CAROL, { apiKeyType: 'ADMIN' })
    const rl = await call(emulator().baseURL, '/api_keys/rate_limits', { apiKey })
    expectSpecResponse('/api_keys/rate_limits', 'get', 200, rl.json)
    const of = (id: string) =>
      Object.fromEntries(
        rl.json.data.rateLimits
          .find((m: { apiModelId: string }) => m.apiModelId === id)
          .rateLimits.map((l: { type: string; amount: number }) => [l.type, l.amount]),
      )
    expect(of('qwen3-4b')).toEqual({ RPM: 500, RPD: 288_000, TPM: 1_000_000 })
    expect(of('llama-3.2-3b')).toEqual({ RPM: 500, RPD: 288_000, TPM: 1_000_000 })
    expect(of('llama-3.3-70b')).toEqual({ RPM: 50, RPD: 36_000, TPM: 750_000 })
    const statuses: number[] = []
    for (let i = 0; i < 21; i++)
      statuses.push((await call(emulator().baseURL, '/image/generate', { apiKey, body: { model: 'default', prompt: 'a boat' } })).status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(20)
    expect(statuses.at(-1)).toBe(429)
    emulator().advance(60_000)
  })
})

describe('documented headers', () => {
  it('x-venice-version always, x-venice-model-name on inference, x-ratelimit-type only when a limit is enforced', async () => {
    const base = emulator().baseURL
    const models = await call(base, '/models')
    expect(models.headers.get('x-venice-version')).toMatch(/^\d{8}\.\d{6}$/)
    expect((await call(base, '/nope')).headers.get('x-venice-version')).toBe(models.headers.get('x-venice-version'))
    const { apiKey } = emulator().createKey(DAVE)
    const ok = await ask(apiKey)
    expect(ok.response.headers.get('x-venice-version')).toBe(models.headers.get('x-venice-version'))
    expect(ok.response.headers.get('x-venice-model-id')).toBe('qwen3-4b')
    expect(ok.response.headers.get('x-venice-model-name')).toBe('Venice Small')
    expect(ok.response.headers.get('x-ratelimit-type')).toBeNull()
    emulator().setRateLimits({ perModel: { 'qwen3-4b': { rpm: 1 } } })
    try {
      const err = (await ask(apiKey).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>
      expect(err).toBeInstanceOf(OpenAI.RateLimitError)
      // One of the documented values (user, api_key, global): the emulator's windows are per account and model (#29).
      expect(err.headers.get('x-ratelimit-type')).toBe('user')
    } finally {
      emulator().setRateLimits({})
      emulator().advance(60_000)
    }
  })
})

describe('characters', () => {
  it("/characters needs a key (the spec's global BearerAuth); an unknown character_slug is a 404 CHARACTER_NOT_FOUND", async () => {
    const base = emulator().baseURL
    expect((await call(base, '/characters')).status).toBe(401)
    expect((await call(base, '/characters/alan-watts')).status).toBe(401)
    const { apiKey } = emulator().createKey(DAVE)
    const list = await call(base, '/characters', { apiKey })
    expectSpecResponse('/characters', 'get', 200, list.json)
    const missing = await call(base, '/characters/nobody', { apiKey })
    expect(missing.status).toBe(404)
    expectSpecResponse('/characters/{slug}', 'get', 404, missing.json)
    expect(missing.json.code).toBe('CHARACTER_NOT_FOUND')
    for (const body of [{ model: 'qwen3-4b', venice_parameters: { character_slug: 'nobody' } }, { model: 'qwen3-4b:character_slug=nobody' }]) {
      expect(await ask(apiKey, body).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError)
      const raw = await call(base, '/chat/completions', { apiKey, body: { ...body, messages: [{ role: 'user', content: 'hi' }] } })
      expect(raw.status).toBe(404)
      expect(raw.json).toEqual({ error: 'No character could be found from the provided character slug', code: 'CHARACTER_NOT_FOUND' })
    }
    const persona = await ask(apiKey, { venice_parameters: { character_slug: 'satoshi' } })
    expect(persona.data.choices[0]!.message.content).toMatch(/^Consider the incentives/)
  })
})

describe('max_completion_tokens', () => {
  it('caps completion tokens with reasoning included; max_tokens caps the visible answer only', async () => {
    const { apiKey } = emulator().createKey(DAVE)
    const prompt = { messages: [{ role: 'user', content: 'Tell me a long story about the lagoon and its gondolas, please.' }] }
    const free = (await ask(apiKey, prompt)).data
    const reasoning = (free.choices[0]!.message as { reasoning_content?: string }).reasoning_content!
    expect(reasoning.length).toBeGreaterThan(40)
    const capped = (await ask(apiKey, { ...prompt, max_completion_tokens: 12 })).data
    expectSpecResponse('/chat/completions', 'post', 200, capped)
    expect(capped.usage!.completion_tokens).toBeLessThanOrEqual(12)
    expect(capped.choices[0]!.finish_reason).toBe('length')
    const tiny = (await ask(apiKey, { ...prompt, max_completion_tokens: 3 })).data
    expect(tiny.usage!.completion_tokens).toBe(3)
    expect(tiny.choices[0]!.message.content).toBe('')
    const legacy = (await ask(apiKey, { ...prompt, max_tokens: 5 })).data
    expect(legacy.choices[0]!.message.content!.length).toBeLessThanOrEqual(20)
    expect(legacy.usage!.completion_tokens).toBe(5 + Math.ceil(reasoning.length / 4))
  })
})

describe('failure breaker per account', () => {
  it('failures of every key of one wallet count together; another wallet is not blocked', async () => {
    const keys = [0, 1, 2].map(() => emulator().createKey(ERIN).apiKey)
    const other = emulator().createKey(CAROL).apiKey
    for (let i = 0; i < 21; i++) {
      const err = (await ask(keys[i % 2]!, { model: 'no-such-model' }).catch((e: unknown) => e)) as { status: number }
      expect(err.status).toBe(400)
    }
    const blocked = (await ask(keys[2]!).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>
    expect(blocked).toBeInstanceOf(OpenAI.RateLimitError)
    expect(blocked.headers.get('x-ratelimit-type')).toBe('user') // the breaker counts per account (#29)
    expect(blocked.headers.get('retry-after')).toBe('30')
    const raw = await call(emulator().baseURL, '/api_keys/rate_limits', { apiKey: keys[2] })
    expect(raw.status).toBe(429)
    expectSpecResponse('/chat/completions', 'post', 429, raw.json)
    expect(raw.json.error).toMatch(/^Too many failed attempts \(> 20\) resulting in a non-success status code\. Please wait 30s/)
    expect((await ask(other)).data.choices).toHaveLength(1)
    emulator().advance(30_000)
    expect((await ask(keys[2]!)).data.choices).toHaveLength(1)
  })
})

describe('switches for ambiguous documented behaviour', () => {
  it('limitHeader: used sends the requests made in the period in x-ratelimit-limit-requests', async () => {
    const { apiKey } = emulator().createKey(DAVE)
    emulator().advance(60_000)
    const set = await call(emulator().baseURL, '/_emulator/variants', { body: { limitHeader: 'used' } })
    expect(set.json).toEqual({ limitHeader: 'used' })
    try {
      const seen: Array<[string | null, string | null]> = []
      for (let i = 0; i < 3; i++) {
        const { response } = await ask(apiKey)
        seen.push([response.headers.get('x-ratelimit-limit-requests'), response.headers.get('x-ratelimit-remaining-requests')])
      }
      expect(seen).toEqual([
        ['1', '499'],
        ['2', '498'],
        ['3', '497'],
      ])
    } finally {
      emulator().setVariants({})
    }
    expect((await ask(apiKey)).response.headers.get('x-ratelimit-limit-requests')).toBe('500')
    expect((await call(emulator().baseURL, '/_emulator/variants', { body: { limitHeader: 'maybe' } })).status).toBe(400)
  })

  it('keyLimitMessage words the key-limit 402 differently; dateOnlyExpiry stores a date as the end of that day', async () => {
    emulator().setVariants({ keyLimitMessage: 'Spending cap for this credential reached', dateOnlyExpiry: 'end-of-day' })
    try {
      const { apiKey } = emulator().createKey(DAVE, { consumptionLimit: { diem: 0.0000001 } })
      await ask(apiKey) // spends past the tiny limit
      const raw = await call(emulator().baseURL, '/chat/completions', { apiKey, body: { model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] } })
      expect(raw.status).toBe(402)
      expectSpecResponse('/chat/completions', 'post', 402, raw.json)
      expect(raw.json).toEqual({ error: 'Spending cap for this credential reached' })
      const admin = emulator().createKey(DAVE, { apiKeyType: 'ADMIN' }).apiKey
      const created = await call(emulator().baseURL, '/api_keys', {
        apiKey: admin,
        body: { apiKeyType: 'INFERENCE', description: 'x', expiresAt: '2026-12-31' },
      })
      expect(created.json.data.expiresAt).toBe('2026-12-31T23:59:59.999Z')
    } finally {
      emulator().setVariants({})
    }
  })
})
