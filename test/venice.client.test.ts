import { describe, expect, it } from 'vitest'
import {
  AuthenticationError,
  BadRequestError,
  createVeniceClient,
  generate,
  InsufficientBalanceError,
  InternalServerError,
  APIConnectionError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  parseVeniceHeaders,
  retryDelayMs,
  backoffMs,
  toVeniceError,
} from '../src/venice/index.js'

const KEY = 'vk_supersecretkey_0123456789abcdef'

function fakeFetch(responses: Array<() => Response>) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = []
  const fn: typeof fetch = async (input, init) => {
    calls.push({ url: String(input instanceof Request ? input.url : input), init })
    const next = responses.shift()
    if (!next) throw new Error('no more responses')
    return next()
  }
  return { fn, calls }
}
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

const rateLimitsBody = {
  data: {
    accessPermitted: true,
    apiTier: { id: 'paid', isCharged: true },
    balances: { USD: 1, DIEM: 2.5 },
    keyExpiration: null,
    nextEpochBegins: '2026-08-02T00:00:00.000Z',
    rateLimits: [{ apiModelId: 'm', rateLimits: [{ amount: 20, type: 'RPM' }] }],
  },
}

describe('generate', () => {
  it('maps each status to one class with status, request id and the server message', () => {
    const cases: Array<[number, Function]> = [
      [400, BadRequestError],
      [401, AuthenticationError],
      [402, InsufficientBalanceError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [429, RateLimitError],
      [500, InternalServerError],
      [503, InternalServerError],
    ]
    for (const [status, cls] of cases) {
      const err = generate(status, { error: 'nope' }, new Headers({ 'cf-ray': 'ray-1' }))
      expect(err).toBeInstanceOf(cls)
      expect(err.status).toBe(status)
      expect(err.requestId).toBe('ray-1')
      expect(err.serverMessage).toBe('nope')
      expect(err.shortMessage).toBe(`${status} nope`)
    }
    expect(generate(undefined, undefined, undefined)).toBeInstanceOf(APIConnectionError)
  })
  it('converts openai SDK errors by status', () => {
    const e = toVeniceError({ status: 402, error: { error: 'API key DIEM spend limit exceeded' }, headers: new Headers() })
    expect(e).toBeInstanceOf(InsufficientBalanceError)
    expect((e as InsufficientBalanceError).serverMessage).toBe('API key DIEM spend limit exceeded')
  })
})

describe('headers and retry timing', () => {
  it('parses balances, limits, request id and deprecation', () => {
    const h = parseVeniceHeaders(
      new Headers({
        'x-venice-balance-diem': '12.5',
        'x-venice-balance-usd': '0',
        'x-ratelimit-limit-requests': '20',
        'x-ratelimit-remaining-requests': '19',
        'x-ratelimit-reset-requests': '1790000000',
        'x-ratelimit-reset-tokens': '3',
        'CF-RAY': 'abc-IAD',
        'x-venice-model-deprecation-warning': 'going away',
        'x-ratelimit-limit-tokens': 'garbage',
      }),
    )
    expect(h).toMatchObject({
      balanceDiem: 12.5,
      balanceUsd: 0,
      limitRequests: 20,
      remainingRequests: 19,
      resetRequestsAtMs: 1_790_000_000_000,
      resetTokensInMs: 3000,
      requestId: 'abc-IAD',
      deprecationWarning: 'going away',
      limitTokens: undefined,
    })
  })
  it('prefers retry-after-ms, then Retry-After, then the 429 reset, then backoff', () => {
    expect(retryDelayMs({ attempt: 0, headers: new Headers({ 'retry-after-ms': '1200', 'retry-after': '9' }), now: 0, resetAtMs: 5000 })).toBe(1200)
    expect(retryDelayMs({ attempt: 0, headers: new Headers({ 'retry-after': '2' }), now: 0, resetAtMs: 5000 })).toBe(2000)
    // A 429's window reset (Venice's x-ratelimit-reset-requests, read by the client into resetAtMs).
    expect(retryDelayMs({ attempt: 0, headers: new Headers(), now: 97_000, resetAtMs: 100_000 })).toBe(3000)
    expect(retryDelayMs({ attempt: 1, headers: undefined, now: 0, random: () => 0 })).toBe(1000)
    expect(backoffMs(10, { random: () => 0 })).toBe(8000)
    expect(backoffMs(0, { random: () => 1 })).toBe(375)
  })
})

describe('createVeniceClient REST', () => {
  it('retries 503 then 429 honouring the server hints, and sends the bearer key', async () => {
    const f = fakeFetch([json(503, { error: 'busy' }), json(429, { error: 'slow' }, { 'retry-after-ms': '700' }), json(200, rateLimitsBody)])
    const waits: number[] = []
    const c = createVeniceClient({ baseURL: 'http://x/api/v1', apiKey: KEY, fetch: f.fn, sleep: async (ms) => void waits.push(ms) })
    const rl = await c.getRateLimits()
    expect(rl.balances.DIEM).toBe(2.5)
    expect(f.calls).toHaveLength(3)
    expect(waits[1]).toBe(700)
    expect(waits[0]).toBeGreaterThanOrEqual(375)
    expect(waits[0]).toBeLessThanOrEqual(500)
    expect((f.calls[0]!.init!.headers as Record<string, string>).authorization).toBe(`Bearer ${KEY}`)
    expect(f.calls[0]!.url).toBe('http://x/api/v1/api_keys/rate_limits')
  })
  it('does not retry 400/402 and never puts the key in the error', async () => {
    const f = fakeFetch([json(402, { error: `Insufficient balance for Bearer ${KEY}` }, { 'cf-ray': 'r2' })])
    const c = createVeniceClient({ baseURL: 'http://x/api/v1', apiKey: KEY, fetch: f.fn, sleep: async () => {} })
    const err = await c.listApiKeys().catch((e) => e)
    expect(err).toBeInstanceOf(InsufficientBalanceError)
    expect(err.requestId).toBe('r2')
    expect(f.calls).toHaveLength(1)
    expect(String(err.message) + JSON.stringify(err.serverMessage)).not.toContain('supersecret')
  })
  it('gives up after maxRetries on connection errors with APIConnectionError', async () => {
    const boom = () => {
      throw new TypeError(`fetch failed for ${KEY}`)
    }
    const f = fakeFetch([boom, boom, boom])
    const c = createVeniceClient({ baseURL: 'http://x/api/v1', apiKey: KEY, fetch: f.fn, sleep: async () => {} })
    const err = await c.listModels().catch((e) => e)
    expect(err).toBeInstanceOf(APIConnectionError)
    expect(f.calls).toHaveLength(3)
    expect(JSON.stringify(err.walk((e: unknown) => e instanceof Error && e.message.includes('fetch failed'))?.message)).not.toContain('supersecret')
  })
  it('does not retry key creation and sends no auth to the web3 endpoints', async () => {
    const f = fakeFetch([json(500, { error: 'x' }), json(200, { success: true, data: { token: 'jwt' } })])
    const c = createVeniceClient({ baseURL: 'http://x/api/v1', apiKey: KEY, fetch: f.fn, sleep: async () => {} })
    await expect(c.postWeb3Key({ address: '0x1', signature: '0x2', token: 't', apiKeyType: 'INFERENCE' })).rejects.toBeInstanceOf(InternalServerError)
    expect(await c.getWeb3Token()).toBe('jwt')
    expect(f.calls).toHaveLength(2)
    expect((f.calls[1]!.init!.headers as Record<string, string>).authorization).toBeUndefined()
  })
  it('rejects a body that breaks the schema and reports headers to onHeaders', async () => {
    const seen: number[] = []
    const f = fakeFetch([json(200, { data: { nope: 1 } }, { 'x-venice-balance-diem': '4' })])
    const c = createVeniceClient({ baseURL: 'http://x/api/v1', apiKey: KEY, fetch: f.fn, onHeaders: (h) => void seen.push(h.balanceDiem!) })
    await expect(c.getRateLimits()).rejects.toBeInstanceOf(InvalidResponseError)
    expect(seen).toEqual([4])
  })
})
