/**
 * Starts the Venice API emulator: a Fastify server on loopback that answers like api.venice.ai at
 * `http://127.0.0.1:PORT/api/v1`, reading stakes from a `ChainReader`.
 */
import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import Fastify from 'fastify'
import type { Address } from 'viem'
import { loadCatalog } from './catalog/models.js'
import type { ChainReader } from './chainReader.js'
import { sendJson, type EmulatorContext } from './context.js'
import { createFaults, type FaultOptions } from './faults.js'
import { MESSAGES, VeniceHttpError } from './http/VeniceHttpError.js'
import { createScriptStore, type ScriptedResponse } from './model/scripts.js'
import { registerRouteFaults } from './http/routeFaults.js'
import { registerAdminRoutes } from './routes/admin.js'
import { registerApiKeyRoutes, createKeyFor } from './routes/apiKeys.js'
import { registerCatalogRoutes } from './routes/catalog.js'
import { registerChatRoutes } from './routes/chat.js'
import { registerMediaRoutes } from './routes/media.js'
import { registerBillingRoutes } from './routes/billing.js'
import { registerWeb3KeyRoutes } from './routes/web3Key.js'
import { registerX402Routes } from './routes/x402.js'
import type { X402Options } from './x402/config.js'
import { createX402Rail } from './x402/rail.js'
import { getSpecValidators } from './spec/validators.js'
import { createAccounts } from './state/accounts.js'
import { createClock, type EmulatorClock } from './state/clock.js'
import { createKeyStore, type CreateKeyInput } from './state/keyStore.js'
import { createFailureBreaker, createRateLimiter, type RateLimitOverrides } from './state/rateLimiter.js'
import { loadVeniceSpec } from './spec/openapiDoc.js'
import { parseVariants, type EmulatorVariants } from './variants.js'

export type StartEmulatorOptions = {
  /** Port to listen on; 0 or omitted picks a free one. */
  port?: number
  host?: '127.0.0.1'
  chain: ChainReader
  /** Base time source in ms (default `Date.now`); `setClock`/`advance` offset it. */
  clock?: () => number
  /** Epoch length (default 86 400 s: epochs start at 00:00 UTC). */
  epochSeconds?: number
  /** Diem per epoch shared among sVVV holders by stake (default 1000). */
  dailyPoolDiem?: number
  /** Starting USD balance of every user (default 0). */
  usdBalance?: number
  /** Serve `/api/v1/_emulator/*` (clock, faults, scripts). Off by default. */
  adminEndpoint?: boolean
  faults?: FaultOptions
  rateLimits?: RateLimitOverrides
  /** HS256 secret for web3 tokens (default: 32 random bytes). */
  jwtSecret?: Uint8Array
  /** How long a chain read is reused (wall-clock ms, default 2000); a new epoch always re-reads. */
  chainCacheMs?: number
  /** Active keys per user (default 500). */
  maxActiveKeys?: number
  /**
   * Enforce the current guide's rule "at least 0.1 staked DIEM for any DIEM to be spendable": below
   * this many staked DIEM the wallet's Diem balance is 0 (it pays in USD or gets 402). Default off.
   */
  minStakedDiemForDiem?: number
  /** Keep every request (method, URL, body) for `requests()`: tests check what reached the API. Off by default. */
  recordRequests?: boolean
  /** Ambiguous documented behaviours to answer with (see `EmulatorVariants`). */
  variants?: EmulatorVariants
  /** The x402 rail: where top-ups settle (an emulator-owned funded account on the chain), asset, payee, bounds. */
  x402?: X402Options
}

/** One request as the emulator received it (with `recordRequests`). Authorization headers are not kept. */
export type RecordedRequest = { method: string; url: string; body: unknown }

/** A running emulator. */
export type Emulator = {
  /** `http://127.0.0.1:PORT/api/v1`, the `baseURL` for the openai SDK. */
  baseURL: string
  port: number
  /** The HTTP server (benches and tests count its `connection` events). */
  server: Server
  stop(): Promise<void>
  clock: EmulatorClock
  now(): number
  /** Sets the emulator clock to `ms` since the Unix epoch. */
  setClock(ms: number): void
  /** Moves the emulator clock by `ms`. */
  advance(ms: number): void
  setFaults(faults: FaultOptions): void
  setRateLimits(overrides: RateLimitOverrides): void
  /** Replaces the ambiguous-behaviour switches (e.g. `{ limitHeader: 'used' }`); `{}` restores the defaults. */
  setVariants(variants: EmulatorVariants): void
  /** Queues exact responses for the next chat completions of `apiKey` (scripted mode). */
  script(apiKey: string, responses: ScriptedResponse[]): void
  /** Sets a user's USD balance. */
  setUsdBalance(address: Address, usd: number): void
  /** Sets a wallet's x402 credit balance in USD (tests of SIWX inference without a top-up). */
  setX402Balance(address: Address, usd: number): void
  /** What the x402 rail offers: the `accepts` network, asset and payee (`payTo`). */
  x402: { network: string; asset: Address; payTo: Address; chainId: number }
  /** Current balances of a user as the headers would report them. */
  balances(address: Address): Promise<{ diem: number; usd: number }>
  /** Forgets cached chain reads (all wallets, or one). */
  refreshChain(address?: Address): void
  /** Creates a key directly, skipping the web3 flow (for tests of code that only needs a key). */
  createKey(owner: Address, input?: Partial<CreateKeyInput>): { apiKey: string; id: string }
  /** Requests received so far (empty unless `recordRequests`); admin routes excluded. */
  requests(): readonly RecordedRequest[]
}

/**
 * @example
 * ```ts
 * const emulator = await startEmulator({ chain: createChainReader({ publicClient, addresses }) })
 * const openai = new OpenAI({ apiKey, baseURL: emulator.baseURL, maxRetries: 0 })
 * await emulator.stop()
 * ```
 */
export async function startEmulator(options: StartEmulatorOptions): Promise<Emulator> {
  const clock = createClock(options.clock)
  const epochMs = (options.epochSeconds ?? 86_400) * 1000
  const faults = createFaults(options.faults)
  const ctx: EmulatorContext = {
    clock,
    epochMs,
    catalog: loadCatalog(),
    validators: getSpecValidators(),
    keys: createKeyStore(),
    accounts: createAccounts({
      chain: options.chain,
      clock,
      epochMs,
      dailyPoolDiem: options.dailyPoolDiem ?? 1000,
      usdBalance: options.usdBalance ?? 0,
      chainCacheMs: options.chainCacheMs,
      minStakedDiemForDiem: options.minStakedDiemForDiem,
    }),
    limiter: createRateLimiter({ now: clock.now, overrides: options.rateLimits, limitHeader: () => ctx.variants.limitHeader }),
    breaker: createFailureBreaker({ now: clock.now }),
    faults,
    scripts: createScriptStore(),
    jwtSecret: options.jwtSecret ?? new Uint8Array(randomBytes(32)),
    keyCreations: new Map(),
    maxActiveKeys: options.maxActiveKeys ?? 500,
    variants: parseVariants(options.variants ?? {}),
    x402: createX402Rail(options.x402, clock.now),
  }
  // Pre-compile the hot validators so the first request pays nothing.
  ctx.validators.request('/chat/completions', 'post')
  ctx.validators.request('/api_keys/generate_web3_key', 'post')

  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, keepAliveTimeout: 30_000 })
  let ray = 0
  const rayPrefix = randomBytes(4).toString('hex')
  // `x-venice-version` on every response (the docs: always); the emulator reports the spec version it follows.
  const version = String((loadVeniceSpec().info as { version?: unknown } | undefined)?.version ?? 'emulator')
  app.decorateRequest('venice', null as never)
  // The Date header has one-second resolution: format it once per emulator-clock second, not per request.
  let dateSecond = NaN
  let dateText = ''
  // Callback-style hooks (not async) on the hot path: no promise per request and hook (issue #18 goal 2).
  app.addHook('onRequest', (request, reply, done) => {
    request.venice = { key: null, caller: `ip:${request.ip}` }
    reply.header('CF-RAY', `${rayPrefix}${(++ray).toString(16).padStart(8, '0')}-EMU`).header('x-venice-version', version)
    // Like any HTTP server, the Date header tells the server's time: the emulator's clock (limits run on it).
    const now = clock.now()
    const second = Math.floor(now / 1000)
    if (second !== dateSecond) {
      dateSecond = second
      dateText = new Date(now).toUTCString()
    }
    reply.header('date', dateText)
    done()
  })
  const recorded: RecordedRequest[] = []
  if (options.recordRequests) {
    // preValidation: the body is parsed by then (a request faulted on a non-inference route never gets here).
    app.addHook('preValidation', async (request) => {
      if (!request.url.startsWith('/api/v1/_emulator/')) recorded.push({ method: request.method, url: request.url, body: request.body ?? null })
    })
  }
  app.addHook('onResponse', (request, reply, done) => {
    // Only authenticated callers are counted, so unauthenticated probes cannot block other tests on loopback.
    if (reply.statusCode >= 400 && (request.venice.key || request.venice.wallet) && !request.venice.skipBreaker) ctx.breaker.fail(request.venice.caller)
    done()
  })
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof VeniceHttpError) {
      if (err.body.error === MESSAGES.tooManyFailures) request.venice.skipBreaker = true
      return sendJson(reply.headers(err.headers), err.status, err.body)
    }
    const e = err as { statusCode?: number; message?: string }
    if (e.statusCode === 415) return sendJson(reply, 415, { error: 'Invalid request content-type' })
    if (e.statusCode === 413) return sendJson(reply, 413, { error: 'Request payload too large' })
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
      return sendJson(reply, 400, { error: MESSAGES.invalidRequest, details: { _errors: [e.message ?? 'Invalid body'] } })
    return sendJson(reply, 500, { error: 'An unknown error occurred' })
  })
  registerRouteFaults(app, ctx)
  app.setNotFoundHandler((_request, reply) => sendJson(reply, 404, { error: MESSAGES.notFound }))

  registerWeb3KeyRoutes(app, ctx)
  registerApiKeyRoutes(app, ctx)
  registerChatRoutes(app, ctx)
  registerCatalogRoutes(app, ctx)
  registerMediaRoutes(app, ctx)
  registerBillingRoutes(app, ctx)
  registerX402Routes(app, ctx)
  if (options.adminEndpoint) registerAdminRoutes(app, ctx)

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0)
  return {
    baseURL: `http://127.0.0.1:${port}/api/v1`,
    port,
    server: app.server,
    stop: async () => {
      await app.close()
    },
    clock,
    now: clock.now,
    setClock: clock.set,
    advance: clock.advance,
    setFaults: (f) => faults.set(f),
    setRateLimits: (o) => ctx.limiter.setOverrides(o),
    setVariants: (v) => {
      ctx.variants = parseVariants(v)
    },
    script: (apiKey, responses) => {
      ctx.scripts.push(apiKey, responses)
    },
    setUsdBalance: (addr, usd) => ctx.accounts.setUsd(addr, usd),
    setX402Balance: (addr, usd) => ctx.x402.credits.set(addr, usd),
    x402: {
      network: ctx.x402.config.network,
      asset: ctx.x402.config.asset,
      payTo: ctx.x402.config.payTo,
      chainId: ctx.x402.config.chainId,
    },
    balances: async (addr) => {
      const { diem, usd } = await ctx.accounts.balances(addr)
      return { diem, usd }
    },
    refreshChain: (addr) => {
      ctx.accounts.invalidate(addr)
    },
    requests: () => recorded,
    createKey: (owner, input = {}) => {
      ctx.accounts.user(owner)
      const data = createKeyFor(ctx, owner, { apiKeyType: 'INFERENCE', ...input })
      return { apiKey: data.apiKey, id: data.id }
    },
  }
}
