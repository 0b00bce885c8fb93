import { describe, expect, it } from 'vitest'
import { ALICE, useEmulator } from './helpers/useEmulator.js'
import { AuthenticationError, createVeniceClient, NotFoundError, parseVeniceHeaders, type VeniceHeaders } from '../src/venice/index.js'

const emulator = useEmulator({ stakes: { [ALICE]: { svvv: 10n ** 18n } } })

describe('Venice REST client against the emulator', () => {
  it('reads models, traits, characters and rate limits, validated by the spec schemas', async () => {
    const seen: VeniceHeaders[] = []
    const admin = emulator().createKey(ALICE, { apiKeyType: 'ADMIN' })
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey: admin.apiKey, onHeaders: (h) => void seen.push(h) })
    const models = await venice.listModels({ type: 'text' })
    expect(models.find((m) => m.id === 'qwen3-4b')?.model_spec?.pricing?.input?.diem).toBe(0.05)
    const traits = await venice.listTraits()
    expect(traits.fastest).toBe('qwen3-4b')
    expect((await venice.getCharacter('alan-watts')).modelId).toBe('venice-uncensored-1-2')
    expect((await venice.listCharacters()).map((c) => c.slug)).toContain('alan-watts')
    const rl = await venice.getRateLimits()
    expect(rl.balances.DIEM).toBeGreaterThan(0)
    expect(Date.parse(rl.nextEpochBegins)).toBeGreaterThan(emulator().now())
    expect(seen.at(-1)?.balanceDiem).toBe(rl.balances.DIEM)
    expect(seen.at(-1)?.requestId).toMatch(/-EMU$/)
  })

  it('creates, lists, reads and deletes keys; the new key works once and then is gone', async () => {
    const admin = emulator().createKey(ALICE, { apiKeyType: 'ADMIN' })
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey: admin.apiKey })
    const created = await venice.createApiKey({ apiKeyType: 'INFERENCE', description: 'bench', consumptionLimit: { diem: 1 }, limitPeriod: 'EPOCH' })
    expect(created.consumptionLimit.diem).toBe(1)
    expect((await venice.listApiKeys()).map((k) => k.id)).toContain(created.id)
    expect((await venice.getApiKey(created.id)).consumptionLimits.diem).toBe(1)
    const user = createVeniceClient({ baseURL: emulator().baseURL, apiKey: created.apiKey, maxRetries: 0 })
    const { response } = await user.openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] }).withResponse()
    expect(parseVeniceHeaders(response.headers).remainingRequests).toBeTypeOf('number')
    expect(await venice.deleteApiKey(created.id)).toBe(true)
    await expect(user.getRateLimits()).rejects.toBeInstanceOf(AuthenticationError)
    await expect(venice.getApiKey('no-such-key')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('gets a web3 token without auth, and generates media', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey })
    expect((await venice.getWeb3Token()).split('.')).toHaveLength(3)
    const models = await venice.listModels({ type: 'image' })
    const img = await venice.generateImage({ model: models[0]!.id, prompt: 'a gondola at dusk', width: 256, height: 256 })
    expect(img.images.length).toBeGreaterThan(0)
    const audio = await venice.speech({ input: 'hello', response_format: 'mp3' })
    expect(audio.byteLength).toBeGreaterThan(0)
  })
})
