import sharp from 'sharp'
import { sniffImageFormat } from '../src/tools/builtin/imageFormat.js'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { ALICE, call, expectSpecResponse, useEmulator } from './helpers/useEmulator.js'

// The breaker counts per account, so its test blocks a wallet of its own.
const BLOCKED = '0x0000000000000000000000000000000000b10cED' as const
const emulator = useEmulator({
  clock: () => Date.UTC(2026, 5, 1, 9, 30, 10),
  stakes: { [ALICE]: { svvv: 10n ** 18n }, [BLOCKED]: { stakedDiem: 10n ** 18n } },
  dailyPoolDiem: 100,
  adminEndpoint: true,
})

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: emulator().baseURL, maxRetries: 0 })
const ask = (apiKey: string, model = 'qwen3-4b') => client(apiKey).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })

describe('rate limits and the failure breaker', () => {
  it('429s past the RPM limit with reset headers, logs it, and recovers in the next minute', async () => {
    emulator().setRateLimits({ perModel: { 'llama-3.2-3b': { rpm: 3 } } })
    const { apiKey } = emulator().createKey(ALICE, { apiKeyType: 'ADMIN' })
    for (let i = 0; i < 3; i++) await ask(apiKey, 'llama-3.2-3b')
    const err = (await ask(apiKey, 'llama-3.2-3b').catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    expect(Number(err.headers.get('x-ratelimit-reset-requests'))).toBe(Date.UTC(2026, 5, 1, 9, 31) / 1000)
    expect(err.headers.get('x-ratelimit-reset-tokens')).toBe('50')
    const log = await call(emulator().baseURL, '/api_keys/rate_limits/log', { apiKey })
    expectSpecResponse('/api_keys/rate_limits/log', 'get', 200, log.json)
    expect(log.json.data[0]).toMatchObject({ modelId: 'llama-3.2-3b', rateLimitType: 'RPM', rateLimitTier: 'XS' })
    emulator().advance(60_000)
    try {
      expect((await ask(apiKey, 'llama-3.2-3b')).choices).toHaveLength(1)
    } finally {
      emulator().advance(-60_000)
      emulator().setRateLimits({})
    }
  })

  it('blocks an account for 30 s after more than 20 failed requests in 30 s', async () => {
    const { apiKey } = emulator().createKey(BLOCKED)
    for (let i = 0; i < 21; i++) expect((await ask(apiKey, 'no-such-model').catch((e: unknown) => e)) as { status: number }).toMatchObject({ status: 400 })
    const blocked = (await ask(apiKey).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>
    expect(blocked).toBeInstanceOf(OpenAI.RateLimitError)
    expect(blocked.headers.get('retry-after')).toBe('30')
    emulator().advance(30_000)
    try {
      expect((await ask(apiKey)).choices).toHaveLength(1)
    } finally {
      emulator().advance(-30_000)
    }
  })
})

describe('faults', () => {
  it('injects 503s and 500s from a seeded PRNG: the same seed gives the same sequence', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const run = async () => {
      emulator().setFaults({ rate503: 0.5, seed: 42 })
      const out: number[] = []
      for (let i = 0; i < 8; i++)
        out.push(
          await ask(apiKey).then(
            () => 200,
            (e: { status: number }) => e.status,
          ),
        )
      return out
    }
    const a = await run()
    expect(a).toContain(503)
    expect(a).toContain(200)
    expect(await run()).toEqual(a)
    emulator().setFaults({ rate500: 1 })
    expect(await ask(apiKey).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.InternalServerError)
    emulator().setFaults({})
  })

  it('drops connections (the SDK sees an APIConnectionError) and sets faults through the admin endpoint', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const set = await call(emulator().baseURL, '/_emulator/faults', { body: { dropRate: 1 } })
    expect(set.json).toEqual({ dropRate: 1 })
    expect(await ask(apiKey).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.APIConnectionError)
    await call(emulator().baseURL, '/_emulator/faults', { body: {} })
    expect((await ask(apiKey)).choices).toHaveLength(1)
  })
})

describe('catalogue and media endpoints follow the spec', () => {
  it('serves /models with a type filter, traits, compatibility mapping and characters', async () => {
    const base = emulator().baseURL
    const text = await call(base, '/models')
    expectSpecResponse('/models', 'get', 200, text.json)
    expect(text.json.data.every((m: { type: string }) => m.type === 'text')).toBe(true)
    expect(text.json.data.find((m: { id: string }) => m.id === 'qwen3-4b').model_spec.pricing.input.usd).toBe(0.05)
    const images = await call(base, '/models?type=image')
    expectSpecResponse('/models', 'get', 200, images.json)
    expect(images.json.type).toBe('image')
    expect((await call(base, '/models?type=all')).json.data.length).toBeGreaterThan(text.json.data.length)
    expect((await call(base, '/models?type=bogus')).status).toBe(400)
    const traits = await call(base, '/models/traits')
    expectSpecResponse('/models/traits', 'get', 200, traits.json)
    expect(traits.json.data).toMatchObject({ default: 'zai-org-glm-5-2', fastest: 'qwen3-4b' })
    expect((await call(base, '/models/traits?type=image')).json.data.default).toBe('z-image-turbo')
    const compat = await call(base, '/models/compatibility_mapping')
    expectSpecResponse('/models/compatibility_mapping', 'get', 200, compat.json)
    const { apiKey } = emulator().createKey(ALICE)
    const chars = await call(base, '/characters', { apiKey })
    expectSpecResponse('/characters', 'get', 200, chars.json)
    const one = await call(base, '/characters/alan-watts', { apiKey })
    expectSpecResponse('/characters/{slug}', 'get', 200, one.json)
    expect(one.json.data.modelId).toBe('venice-uncensored-1-2')
    expect((await call(base, '/characters/nobody', { apiKey })).status).toBe(404)
  })

  it('returns embeddings, a valid PNG, WAV/MP3 audio, balances and the sunset /billing/usage', async () => {
    const { apiKey } = emulator().createKey(ALICE, { apiKeyType: 'ADMIN' })
    const base = emulator().baseURL
    const openai = client(apiKey)
    const emb = await openai.embeddings.create({ model: 'text-embedding-bge-m3', input: ['a', 'b'], dimensions: 8, encoding_format: 'float' })
    expectSpecResponse('/embeddings', 'post', 200, emb)
    expect(emb.data[0]!.embedding).toHaveLength(8)
    expect(Math.hypot(...emb.data[0]!.embedding)).toBeCloseTo(1, 4)
    expect(emb.data[0]!.embedding).not.toEqual(emb.data[1]!.embedding)
    const sdkDefault = await openai.embeddings.create({ model: 'text-embedding-bge-m3', input: 'a', dimensions: 8 })
    expect(sdkDefault.data[0]!.embedding).toEqual(emb.data[0]!.embedding.map((v) => Math.fround(v)))
    const img = await call(base, '/image/generate', { apiKey, body: { model: 'default', prompt: 'a lighthouse' } })
    expectSpecResponse('/image/generate', 'post', 200, img.json)
    // The spec's default format is webp: the bytes are webp, at the default 1024×1024.
    const webp = Buffer.from(img.json.images[0], 'base64')
    expect(sniffImageFormat(webp)).toBe('webp')
    expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', width: 1024, height: 1024 })
    const asked = await call(base, '/image/generate', { apiKey, body: { model: 'default', prompt: 'a lighthouse', format: 'png', width: 320, height: 200 } })
    const png = Buffer.from(asked.json.images[0], 'base64')
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 320, height: 200 })
    expect(img.headers.get('x-venice-model-id')).toBe('z-image-turbo')
    const wav = await call(base, '/audio/speech', { apiKey, body: { input: 'hello', model: 'tts-kokoro', response_format: 'wav' } })
    expect(wav.headers.get('content-type')).toBe('audio/wav')
    expect(wav.bytes!.subarray(0, 4).toString()).toBe('RIFF')
    expect(wav.bytes!.readUInt32LE(40)).toBe(wav.bytes!.length - 44)
    const mp3 = await openai.audio.speech.create({ model: 'tts-kokoro', input: 'hello', voice: 'af_sky' as never })
    const mp3Bytes = Buffer.from(await mp3.arrayBuffer())
    expect([mp3Bytes[0], mp3Bytes[1]! & 0xe0]).toEqual([0xff, 0xe0])
    expect((await call(base, '/audio/speech', { apiKey, body: { input: 'x', response_format: 'opus' } })).status).toBe(400)
    const bal = await call(base, '/billing/balance', { apiKey })
    expectSpecResponse('/billing/balance', 'get', 200, bal.json)
    expect(bal.json.diemEpochAllocation).toBe(100)
    const usage = await call(base, '/billing/usage', { apiKey })
    expect(usage.status).toBe(200)
    expect(usage.json.data.some((r: { sku: string }) => r.sku.startsWith('z-image-turbo'))).toBe(true)
    emulator().setClock(Date.UTC(2026, 8, 16))
    const sunset = await call(base, '/billing/usage', { apiKey })
    expect(sunset.status).toBe(410)
    expectSpecResponse('/billing/usage', 'get', 410, sunset.json)
    expect(sunset.headers.get('sunset')).toContain('16 Sep 2026')
  })
})
