import OpenAI from 'openai'
import type { Dispatcher } from 'undici'
import { redact } from '../util/redact.js'
import { keep402Body, NotFoundError, UnexpectedRedirectError } from './errors.js'
import { parseVeniceHeadersOnce, type VeniceHeaders } from './headers.js'
import { request, type Transport, type VeniceLogger, type WithHeaders } from './request.js'
import { sleep } from '../util/sleep.js'
import { SIWX_KEY_HINT, withSiwx, type SiwxOptions } from './siwx.js'
import { x402Methods } from './x402.js'
import {
  apiKeyListSchema,
  apiKeyOneSchema,
  billingBalanceSchema,
  billingPageSchema,
  characterListSchema,
  characterOneSchema,
  createdApiKeyResponseSchema,
  imageResponseSchema,
  legacyBillingPageSchema,
  modelListSchema,
  rateLimitLogSchema,
  rateLimitsSchema,
  successSchema,
  traitsSchema,
  web3TokenSchema,
  type ApiKey,
  type BillingBalance,
  type BillingEntry,
  type Character,
  type CreateApiKeyBody,
  type CreatedApiKey,
  type ImageResponse,
  type RateLimitLogEntry,
  type RateLimits,
  type VeniceModel,
  type Web3KeyBody,
} from './schemas.js'

/** Options of `createVeniceClient`. Defaults come from the caller (see `src/config/env.ts`), never from `process.env` here. */
export type VeniceClientOptions = {
  /** e.g. `https://api.venice.ai/api/v1` or the emulator's `baseURL`. */
  baseURL: string
  /** Inference or admin key. Optional: `/models` and the web3 key endpoints need none. */
  apiKey?: string | undefined
  /** Injected transport; tests pass a counting fetch. Defaults to the global `fetch`. */
  fetch?: typeof fetch | undefined
  /**
   * The HTTP dispatcher every request goes through (passed to `fetch` as `dispatcher`), e.g. a
   * `createConnectionPool()` shared by many clients so they open a bounded number of sockets.
   */
  dispatcher?: Dispatcher | undefined
  logger?: VeniceLogger | undefined
  /** Retries for retryable failures (408/409/429/5xx/connection). Default 2. */
  maxRetries?: number | undefined
  /** Per-request timeout of the REST calls in ms (default 180 000: image generation can be slow, and a timed-out request is retried); the openai SDK keeps its own for chat. */
  timeoutMs?: number | undefined
  /** Called with the parsed headers of every response from this client (chat and REST, 2xx or not). */
  onHeaders?: ((headers: VeniceHeaders, status: number, path: string) => void) | undefined
  /**
   * x402 mode: every request carries a fresh `SIGN-IN-WITH-X` header signed by this wallet and no API key
   * (`apiKey` is then ignored). Chat is debited from the wallet's USDC credits (`X-Balance-Remaining`).
   */
  siwx?: Omit<SiwxOptions, 'now'> | undefined
  /** Injected for tests: how retries wait, and what "now" is. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
  now?: (() => number) | undefined
}

/** Query of `getBillingUsage` (one page of `/billing/usage-history`). */
export type BillingUsageParams = {
  currency?: 'USD' | 'DIEM' | 'BUNDLED_CREDITS' | undefined
  startTimestamp?: string | undefined
  endTimestamp?: string | undefined
  pageSize?: number | undefined
  cursor?: string | undefined
}

/** Body of `generateImage` (`POST /image/generate`); see the spec for every field. */
export type GenerateImageParams = {
  model: string
  prompt: string
  width?: number
  height?: number
  format?: 'jpeg' | 'png' | 'webp'
  seed?: number
  negative_prompt?: string
  safe_mode?: boolean
  [k: string]: unknown
}
/** Body of `speech` (`POST /audio/speech`). */
export type SpeechParams = { input: string; model?: string; voice?: string; response_format?: 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm'; speed?: number }

type Opts = { signal?: AbortSignal | undefined }

/**
 * A Venice client: an `openai` SDK instance for chat (Venice is OpenAI-compatible) plus typed,
 * zod-validated methods for the Venice-only endpoints. Every response's headers go to `onHeaders`.
 *
 * @example
 * ```ts
 * const venice = createVeniceClient({ baseURL: env.VENICE_API_BASE_URL!, apiKey: store.reveal(agentKeyId) })
 * const { data, response } = await venice.openai.chat.completions
 *   .create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }).withResponse()
 * const limits = await venice.getRateLimits()
 * ```
 */
export function createVeniceClient(options: VeniceClientOptions) {
  const now = options.now ?? Date.now
  const rawFetch = options.fetch ?? globalThis.fetch
  const baseFetch = options.siwx ? withSiwx(rawFetch, { ...options.siwx, now }) : rawFetch
  if (options.siwx) options = { ...options, apiKey: undefined }
  const dispatcher = options.dispatcher
  const observedFetch: typeof fetch = async (input, init) => {
    // `dispatcher` is undici's RequestInit extension; Node's fetch and undici's honour it. `redirect: 'error'`:
    // Venice never redirects, and a redirect followed would re-send the body (and, same-origin, the key) elsewhere.
    // It is also cheaper: in any other mode fetch clones the request first, teeing its body into two more web
    // streams (issue #18: the bare `openai` loop spends 1,272 µs of client CPU per step by default and 1,149 µs with
    // `redirect: 'error'`, per-process medians of 7 pinned rounds).
    let res: Response
    try {
      res = await baseFetch(input, { ...init, redirect: 'error', ...(dispatcher && { dispatcher }) } as RequestInit)
    } catch (e) {
      throw isRefusedRedirect(e) ? new UnexpectedRedirectError({ path: pathOf(input), cause: e }) : e
    }
    if (options.onHeaders) options.onHeaders(parseVeniceHeadersOnce(res.headers, now()), res.status, pathOf(input))
    if (res.status === 402) await keep402Body(res)
    return res
  }
  const t: Transport = {
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    fetch: observedFetch,
    maxRetries: options.maxRetries ?? 2,
    logger: options.logger,
    sleep: options.sleep ?? sleep,
    now,
    timeoutMs: options.timeoutMs,
  }
  const openai = new OpenAI({
    baseURL: options.baseURL,
    // The SDK insists on a key; public endpoints ignore it (and in x402 mode `withSiwx` removes the header).
    apiKey: options.apiKey ?? 'no-key',
    fetch: observedFetch,
    maxRetries: t.maxRetries,
  })
  const data = async <T>(p: Promise<WithHeaders<T>>): Promise<T> => (await p).data

  const client = {
    openai,
    baseURL: options.baseURL,
    /** The wallet that signs in with SIWX (x402 mode), else undefined. */
    siwxAddress: options.siwx?.signer.address,
    /** The key, redacted, for display; `siwx` for a client that signs in with SIWX (its calls are paid from x402 credits). */
    keyHint: options.siwx ? SIWX_KEY_HINT : options.apiKey ? redact(options.apiKey) : undefined,
    /** Swaps the key in place (rotation): chat and REST calls from now on use the new one. */
    setApiKey(apiKey: string): void {
      t.apiKey = apiKey
      openai.apiKey = apiKey
      client.keyHint = redact(apiKey)
    },
    /** `GET /api_keys` (admin). */
    listApiKeys: async (o: Opts = {}): Promise<ApiKey[]> =>
      (await data(request(t, { method: 'GET', path: '/api_keys', schema: apiKeyListSchema, signal: o.signal }))).data,
    /** `GET /api_keys/{id}` (admin). */
    getApiKey: async (id: string, o: Opts = {}): Promise<ApiKey> =>
      (await data(request(t, { method: 'GET', path: `/api_keys/${encodeURIComponent(id)}`, schema: apiKeyOneSchema, signal: o.signal }))).data,
    /** `POST /api_keys` (admin). Not retried on connection errors: it is not idempotent. */
    createApiKey: async (body: CreateApiKeyBody, o: Opts = {}): Promise<CreatedApiKey> =>
      (await data(request(t, { method: 'POST', path: '/api_keys', body, schema: createdApiKeyResponseSchema, signal: o.signal, retry: false }))).data,
    /** `DELETE /api_keys?id=` (admin). */
    deleteApiKey: async (id: string, o: Opts = {}): Promise<boolean> =>
      (await data(request(t, { method: 'DELETE', path: '/api_keys', query: { id }, schema: successSchema, signal: o.signal }))).success,
    /** `GET /api_keys/rate_limits`: balances, tier, expiry, next epoch, per-model limits. */
    getRateLimits: async (o: Opts = {}): Promise<RateLimits> =>
      (await data(request(t, { method: 'GET', path: '/api_keys/rate_limits', schema: rateLimitsSchema, signal: o.signal }))).data,
    /** `GET /billing/balance`: remaining Diem/USD and `diemEpochAllocation`, the epoch's whole Diem allocation. */
    getBillingBalance: async (o: Opts = {}): Promise<BillingBalance> =>
      await data(request(t, { method: 'GET', path: '/billing/balance', schema: billingBalanceSchema, signal: o.signal })),
    /** `GET /api_keys/rate_limits/log`: the last 50 limits the account exceeded. */
    getRateLimitLog: async (o: Opts = {}): Promise<RateLimitLogEntry[]> =>
      (await data(request(t, { method: 'GET', path: '/api_keys/rate_limits/log', schema: rateLimitLogSchema, signal: o.signal }))).data,
    /** `GET /models?type=`. */
    listModels: async (p: { type?: string } & Opts = {}): Promise<VeniceModel[]> =>
      (await data(request(t, { method: 'GET', path: '/models', query: { type: p.type }, schema: modelListSchema, signal: p.signal }))).data,
    /** `GET /models/traits?type=` → `{ trait: modelId }`. */
    listTraits: async (p: { type?: string } & Opts = {}): Promise<Record<string, string>> =>
      (await data(request(t, { method: 'GET', path: '/models/traits', query: { type: p.type }, schema: traitsSchema, signal: p.signal }))).data,
    /** `GET /characters`. */
    listCharacters: async (p: { limit?: number; search?: string } & Opts = {}): Promise<Character[]> =>
      (
        await data(
          request(t, { method: 'GET', path: '/characters', query: { limit: p.limit, search: p.search }, schema: characterListSchema, signal: p.signal }),
        )
      ).data,
    /** `GET /characters/{slug}` → includes the `modelId` to chat with. */
    getCharacter: async (slug: string, o: Opts = {}): Promise<Character> =>
      (await data(request(t, { method: 'GET', path: `/characters/${encodeURIComponent(slug)}`, schema: characterOneSchema, signal: o.signal }))).data,
    /**
     * One page of the legacy billing ledger, `GET /billing/usage?page&limit`. The spec sunsets it on
     * 2026-09-16 (then it answers 410: use `getBillingUsageHistory`).
     */
    getBillingUsage: async (p: { page?: number; limit?: number } & Opts = {}): Promise<{ data: BillingEntry[]; totalPages: number }> => {
      const r = await data(
        request(t, { method: 'GET', path: '/billing/usage', query: { page: p.page, limit: p.limit }, schema: legacyBillingPageSchema, signal: p.signal }),
      )
      return { data: r.data, totalPages: r.pagination.totalPages }
    },
    /** One page of `GET /billing/usage-history`; pass `cursor` from the previous page to continue. */
    getBillingUsageHistory: async (p: BillingUsageParams & Opts = {}): Promise<{ data: BillingEntry[]; nextCursor: string | null }> => {
      const { signal, ...query } = p
      const page = await data(
        request(t, { method: 'GET', path: '/billing/usage-history', query: p.cursor ? { cursor: p.cursor } : query, schema: billingPageSchema, signal }),
      )
      return { data: page.data, nextCursor: page.nextCursor ?? null }
    },
    /** `POST /image/generate` → base64 images. */
    generateImage: async (body: GenerateImageParams, o: Opts = {}): Promise<ImageResponse> =>
      data(request(t, { method: 'POST', path: '/image/generate', body, schema: imageResponseSchema, signal: o.signal })),
    /** `POST /audio/speech` → audio bytes. */
    speech: async (body: SpeechParams, o: Opts = {}): Promise<Uint8Array> =>
      data(request<Uint8Array>(t, { method: 'POST', path: '/audio/speech', body, binary: true, signal: o.signal })),
    /** `GET /api_keys/generate_web3_key` (no auth) → the JWT to sign with the wallet. */
    getWeb3Token: async (o: Opts = {}): Promise<string> =>
      (await data(request(t, { method: 'GET', path: '/api_keys/generate_web3_key', auth: false, schema: web3TokenSchema, signal: o.signal }))).data.token,
    /** `POST /api_keys/generate_web3_key` (no auth) → the new key, shown once. Never retried automatically. */
    postWeb3Key: async (body: Web3KeyBody, o: Opts = {}): Promise<CreatedApiKey> =>
      (
        await data(
          request(t, {
            method: 'POST',
            path: '/api_keys/generate_web3_key',
            auth: false,
            body,
            schema: createdApiKeyResponseSchema,
            signal: o.signal,
            retry: false,
          }),
        )
      ).data,
    ...x402Methods(t),
  }
  return client
}

/** Whether fetch failed because it met a redirect in `redirect: 'error'` mode (undici: TypeError "fetch failed", cause "unexpected redirect"). */
function isRefusedRedirect(e: unknown): boolean {
  for (let c = e, depth = 0; c && typeof c === 'object' && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    if ((c as { message?: unknown }).message === 'unexpected redirect') return true
  }
  return false
}

/** The path of a request URL, without building a `URL` (this runs on every response). */
function pathOf(input: string | URL | Request): string {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const start = href.indexOf('/', href.indexOf('//') + 2)
  if (start < 0) return '/'
  const end = href.search(/[?#]/)
  return href.slice(start, end < 0 ? undefined : end)
}

/** The client returned by `createVeniceClient`. */
export type VeniceClient = ReturnType<typeof createVeniceClient>

/**
 * Walks every page of the billing ledger: `/billing/usage-history` by cursor, or, where that route does
 * not exist (404), the legacy `/billing/usage` by page.
 *
 * @example
 * ```ts
 * const entries = await listAllBillingUsage(venice)
 * const spent = entries.reduce((s, e) => s - e.amount, 0)
 * ```
 */
export async function listAllBillingUsage(client: VeniceClient, params: Omit<BillingUsageParams, 'cursor'> = {}): Promise<BillingEntry[]> {
  const all: BillingEntry[] = []
  try {
    let page = await client.getBillingUsageHistory(params)
    all.push(...page.data)
    while (page.nextCursor) {
      page = await client.getBillingUsageHistory({ cursor: page.nextCursor })
      all.push(...page.data)
    }
    return all
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err
  }
  for (let page = 1, pages = 1; page <= pages; page++) {
    const r = await client.getBillingUsage({ page, limit: 500 })
    all.push(...r.data)
    pages = r.totalPages
  }
  return all
}
