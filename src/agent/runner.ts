import { createVeniceClient, type VeniceClient } from '../venice/createVeniceClient.js'
import type { VeniceLogger } from '../venice/request.js'
import type { RateLimits } from '../venice/schemas.js'
import { createBalanceMonitor, type BalanceMonitor, type BalanceMonitorOptions } from './balanceMonitor.js'
import { createFundingController, type FundingController, type FundingOutcome, type TopUpFn, type TopUpRequest } from './funding.js'
import type { Ledger } from './ledger.js'
import { createPriceBook, type PriceBook } from './pricing.js'
import { createRateLimiter, type LimiterClock, type RateLimiter, type RateLimiterOptions } from './rateLimiter.js'
import { runAgent, type RunAgentOptions, type RunResult } from './runAgent.js'

/** One key the runner may use. The key itself stays inside its client; only `name` appears in logs. */
export type RunnerKey = {
  name: string
  apiKey: string
  /** ISO expiry, as the provisioner recorded it (drives `keyExpiring` without an ADMIN call). */
  expiresAt?: string | null | undefined
}

/** What `rotateKey` resolves: the replacement key (and its expiry), or `undefined` to keep the old one. */
export type RotatedKey = string | { apiKey: string; expiresAt?: string | null | undefined } | undefined

/** Options of `createRunner`. */
export type RunnerOptions = {
  baseURL: string
  keys: RunnerKey[]
  ledger?: Ledger | undefined
  fetch?: typeof fetch | undefined
  logger?: VeniceLogger | undefined
  /** Clock for limiters (tests and benches compress time with the emulator's clock). */
  clock?: LimiterClock | undefined
  limiter?: Omit<RateLimiterOptions, 'clock'> | undefined
  /** Balance monitor tuning. Its runway threshold is `funding.minRunwayHours` (one knob), not set here. */
  monitor?: Omit<BalanceMonitorOptions, 'fetchRateLimits' | 'now' | 'lowRunwayHours'> | undefined
  /** The wallet's top-up; without it, a 402 or a low runway ends the affected runs instead. */
  topUp?: TopUpFn | undefined
  funding?: { minRunwayHours: number; cooldownMs: number } | undefined
  /** Told what every funding attempt on every key decided (topped up, refused, cooldown, failed). */
  onFundingOutcome?: ((keyName: string, outcome: FundingOutcome, request: TopUpRequest) => void) | undefined
  /**
   * Rotation or re-limiting through the key provisioner: called when a key is about to expire or hits its
   * own consumption limit. Resolve the replacement key (swapped in place for every agent on it), or
   * `undefined` to leave the key as is.
   */
  rotateKey?: ((request: { name: string; reason: 'expiring' | 'limit'; detail: string }) => Promise<RotatedKey>) | undefined
  /** Minimum time between rotations for expiry (ms, runner clock). Default 10 min. */
  rotateCooldownMs?: number | undefined
  /**
   * How a key's monitor reads `/api_keys/rate_limits`. Venice serves it to ADMIN keys only, so a host that
   * keeps an ADMIN key passes a reader backed by it (the agents never see that key). Default: the agent's
   * own client, which works where the API allows it and otherwise leaves the monitor on headers alone.
   */
  fetchRateLimits?: ((keyName: string) => Promise<RateLimits>) | undefined
  /** Refresh `/api_keys/rate_limits` this often (ms); 0 disables the timer. Default 0. */
  refreshMs?: number | undefined
}

/** What the runner keeps per key: one client, one monitor, one funding controller, limiters per model. */
export type KeyServices = {
  name: string
  venice: VeniceClient
  monitor: BalanceMonitor
  funding: FundingController | undefined
  limiterFor: (model: string) => RateLimiter
  /** Runs `rotateKey` once for concurrent callers; true when a new key is in place. */
  rotate: (reason: 'expiring' | 'limit', detail: string) => Promise<boolean>
}

/** A run on the runner: `runAgent` options minus what the runner supplies, plus which key(s) to use. */
export type RunnerRunOptions = Omit<RunAgentOptions, 'venice' | 'limiter' | 'monitor' | 'funding' | 'prices' | 'ledger'> & {
  /** Key name, or several: the first one not exhausted is used. Default: the first key. */
  key?: string | string[] | undefined
}

/**
 * Hosts many agents in one process: agents on the same key share one HTTP client, one rate limiter per
 * model, one balance monitor and one funding controller; all share the price book and the ledger.
 *
 * @example
 * ```ts
 * const runner = createRunner({ baseURL, keys: [{ name: 'main', apiKey }], ledger, topUp, funding: { minRunwayHours: 24, cooldownMs: 3_600_000 } })
 * const results = await Promise.all(prompts.map((prompt, i) => runner.run({ agent: `bot-${i}`, prompt, model: 'qwen3-4b' })))
 * ```
 */
export function createRunner(options: RunnerOptions) {
  if (!options.keys.length) throw new TypeError('createRunner needs at least one key')
  const services = new Map<string, KeyServices>()
  for (const k of options.keys) services.set(k.name, makeServices(k, options))
  const first = services.get(options.keys[0]!.name)!
  const prices: PriceBook = createPriceBook(first.venice)

  function pick(key: RunnerRunOptions['key']): KeyServices {
    const names = key === undefined ? [first.name] : Array.isArray(key) ? key : [key]
    const candidates = names.map((n) => {
      const s = services.get(n)
      if (!s) throw new TypeError(`Unknown key "${n}"`)
      return s
    })
    return candidates.find((s) => s.monitor.snapshot().level !== 'exhausted') ?? candidates[0]!
  }

  return {
    prices,
    key: (name: string): KeyServices | undefined => services.get(name),
    keys: (): KeyServices[] => [...services.values()],
    /** Runs one agent on a key's shared services. */
    run(o: RunnerRunOptions): Promise<RunResult> {
      const s = pick(o.key)
      const limiter = s.limiterFor(o.model ?? o.characterSlug ?? 'default')
      return runAgent({
        ...o, venice: s.venice, limiter, monitor: s.monitor, funding: s.funding, prices, ledger: options.ledger,
        onKeyLimit: options.rotateKey ? (detail) => s.rotate('limit', detail) : undefined,
      })
    },
    /** Stops refresh timers. */
    close(): void {
      for (const s of services.values()) s.monitor.stop()
    },
  }
}

/** A runner as returned by `createRunner`. */
export type Runner = ReturnType<typeof createRunner>

function makeServices(k: RunnerKey, o: RunnerOptions): KeyServices {
  const limiters = new Map<string, RateLimiter>()
  // Header observations from REST calls (and chat) reach the monitor through the client hook.
  let monitorRef: BalanceMonitor | undefined
  const venice = createVeniceClient({
    baseURL: o.baseURL,
    apiKey: k.apiKey,
    fetch: o.fetch,
    logger: o.logger,
    maxRetries: 2,
    onHeaders: (h, status, path) => {
      if (!path.endsWith('/chat/completions')) monitorRef?.observeHeaders(h, status)
    },
  })
  const monitor = createBalanceMonitor({
    ...o.monitor,
    // One runway threshold: the monitor's `low` fires exactly where the funding controller tops up.
    ...(o.funding && { lowRunwayHours: o.funding.minRunwayHours }),
    fetchRateLimits: o.fetchRateLimits ? () => o.fetchRateLimits!(k.name) : () => venice.getRateLimits(),
    keyExpiresAt: k.expiresAt ? Date.parse(k.expiresAt) : undefined,
    now: o.clock?.now,
  })
  monitorRef = monitor
  if (o.refreshMs) monitor.start(o.refreshMs)
  const funding =
    o.topUp && o.funding
      ? createFundingController({
          monitor, topUp: o.topUp, minRunwayHours: o.funding.minRunwayHours, cooldownMs: o.funding.cooldownMs, now: o.clock?.now, name: k.name,
          onOutcome: o.onFundingOutcome ? (outcome, request) => o.onFundingOutcome!(k.name, outcome, request) : undefined,
        })
      : undefined
  funding?.attach()
  let rotating: Promise<boolean> | undefined
  let lastRotation = -Infinity
  const now = o.clock?.now ?? Date.now
  const rotate = (reason: 'expiring' | 'limit', detail: string): Promise<boolean> => {
    if (!o.rotateKey) return Promise.resolve(false)
    // An expiring key is rotated at most once per cooldown, so short-lived replacements cannot loop.
    if (!rotating && reason === 'expiring' && now() - lastRotation < (o.rotateCooldownMs ?? 600_000)) return Promise.resolve(false)
    if (rotating) return rotating
    lastRotation = now()
    const p = o.rotateKey({ name: k.name, reason, detail }).catch((): RotatedKey => undefined).then((rotated) => {
      rotating = undefined
      if (!rotated) return false
      const next = typeof rotated === 'string' ? { apiKey: rotated } : rotated
      venice.setApiKey(next.apiKey)
      // Monitor updates run after `rotating` is cleared, so an event they fire may rotate again.
      monitor.setKeyLimitRemaining(undefined)
      monitor.setKeyExpiresAt(next.expiresAt ? Date.parse(next.expiresAt) : undefined)
      return true
    })
    rotating = p
    return p
  }
  monitor.on('keyExpiring', (s) => void rotate('expiring', `expires in ${s.expiresInHours.toFixed(1)} h`))
  return {
    name: k.name,
    venice,
    monitor,
    funding,
    rotate,
    limiterFor(model) {
      let l = limiters.get(model)
      if (!l) limiters.set(model, (l = createRateLimiter({ ...o.limiter, clock: o.clock })))
      return l
    },
  }
}
