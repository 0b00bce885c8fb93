import type { Dispatcher } from 'undici'
import { DEFAULT_BURN_WINDOW_MS } from '../status/figures.js'
import { keyLimitLeft } from '../status/spendable.js'
import { isX402Spend, type SpendEntry } from '../status/spendEntry.js'
import { createConnectionPool } from '../venice/connectionPool.js'
import { createVeniceClient, type VeniceClient } from '../venice/createVeniceClient.js'
import type { SiwxOptions } from '../venice/siwx.js'
import type { VeniceLogger } from '../venice/request.js'
import type { ApiKey, RateLimits } from '../venice/schemas.js'
import { createBalanceMonitor, type BalanceMonitor, type BalanceMonitorOptions } from './balanceMonitor.js'
import { createFailureBudget, type FailureBudget } from './failureBudget.js'
import { createFundingController, type FundingController, type FundingOutcome, type TopUpFn, type TopUpRequest } from './funding.js'
import type { FundingPolicy } from './fundingPolicy.js'
import { classify402, keyLimitStateOf, type InsufficientVerdict, type KeyLimitState } from './keyLimit.js'
import type { Ledger } from './ledger.js'
import { createPriceBook, type PriceBook } from './pricing.js'
import { createRateLimiter, type LimiterClock, type RateLimiter, type RateLimiterOptions } from './rateLimiter.js'
import type { CallContext } from './callModel.js'
import { runAgentOn, type RunAgentOptions, type RunResult, type RunServices } from './runAgent.js'

/** One key the runner may use. The key itself stays inside its client; only `name` appears in logs. */
export type RunnerKey = {
  name: string
  apiKey: string
  /** ISO expiry, as the provisioner recorded it (until the key's own record is read with `fetchKeyRecord`). */
  expiresAt?: string | null | undefined
  /** The key's own consumption limit and period, as the store recorded them (to tell a key-limit 402 from an empty account). */
  consumptionLimit?: { diem?: number | null | undefined; usd?: number | null | undefined } | undefined
  limitPeriod?: 'EPOCH' | 'MONTH' | 'LIFETIME' | null | undefined
}

/** A replacement key put in place of the old one (swapped in every client on that key). */
export type InstalledKey = { apiKey: string; expiresAt?: string | null | undefined }

/** What `rotateKey` resolves: the replacement key (and its expiry), or `undefined` to keep the old one. */
export type RotatedKey = string | { apiKey: string; expiresAt?: string | null | undefined } | undefined

/** Options of `createRunner`. */
export type RunnerOptions = {
  baseURL: string
  keys: RunnerKey[]
  ledger?: Ledger | undefined
  fetch?: typeof fetch | undefined
  /**
   * Sockets to Venice, shared by every key and agent of the runner (per origin): at most this many are
   * open at once, over keep-alive; other requests queue for a free one. Default 64.
   */
  connections?: number | undefined
  /** Use this dispatcher instead of the runner's own pool (e.g. one pool shared by several runners). */
  dispatcher?: Dispatcher | undefined
  logger?: VeniceLogger | undefined
  /** Clock for limiters (tests and benches compress time with the emulator's clock). */
  clock?: LimiterClock | undefined
  limiter?: Omit<RateLimiterOptions, 'clock'> | undefined
  /** Balance monitor tuning. Its runway threshold is `funding.minRunwayHours` (one knob), not set here. */
  monitor?: Omit<BalanceMonitorOptions, 'fetchRateLimits' | 'now' | 'lowRunwayHours'> | undefined
  /** The wallet's top-up (it enforces the funding window); without it, a 402 or a low runway ends the affected runs instead. */
  topUp?: TopUpFn | undefined
  /**
   * x402 mode: every key's client signs its requests in with SIWX for this wallet instead of an API key (the keys'
   * `apiKey` is unused), inference is paid from the wallet's USDC credits, and every 402 is the account's (credits
   * short: `topUp` buys more). No `/api_keys/rate_limits` is read: a SIWX caller has no key.
   */
  siwx?: Omit<SiwxOptions, 'now'> | undefined
  /** The funding policy, passed whole (the runner reads its runway threshold). */
  funding?: Pick<FundingPolicy, 'minRunwayHours'> | undefined
  /** Told what every funding attempt on every key decided (topped up, refused, cooldown, failed). */
  onFundingOutcome?: ((keyName: string, outcome: FundingOutcome, request: TopUpRequest) => void) | undefined
  /**
   * Rotation or re-limiting through the key provisioner: called when a key is about to expire or hits its
   * own consumption limit. Resolve the replacement key (swapped in place for every agent on it), or
   * `undefined` to leave the key as is.
   */
  rotateKey?:
    | ((request: { name: string; reason: 'expiring' | 'limit'; detail: string; install: (next: InstalledKey) => void }) => Promise<RotatedKey>)
    | undefined
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
  /**
   * Reads a key's own record (`GET /api_keys` → the entry for that key, with an ADMIN key): its `expiresAt`,
   * limits and current-period usage. Called with every refresh and before deciding what a 402 means.
   * `undefined` when the key is not listed. Without it, expiry and limits come from `keys` only.
   */
  fetchKeyRecord?: ((keyName: string) => Promise<ApiKey | undefined>) | undefined
  /** The account's failure budget, shared by every key of the wallet. Default: one for this runner. */
  failureBudget?: FailureBudget | undefined
  /**
   * Makes the limiter of one key and model. Default: `createRateLimiter` (in this process). Fleet mode passes
   * `pgLimiterFactory(db, …)`: one rate budget per key shared by every worker.
   */
  createLimiter?: LimiterFactory | undefined
  /** Rotate before a run when the key expires sooner than this (ms). Default 10 min. */
  rotateAheadMs?: number | undefined
  /**
   * Reads the spend ledger's lines of one key's agent since a time (ms). Each key's monitor starts its burn from
   * them (the lines of its own rail), so a new process rates burn and runway as `gondola status` does. Without it
   * the burn starts with this process.
   */
  readSpends?: ((keyName: string, since: number) => Promise<readonly SpendEntry[]>) | undefined
}

/** What a limiter factory is given: the key (its name and secret, to derive a shared bucket), the model, the account's budget. */
export type LimiterFactory = (p: {
  keyName: string
  apiKey: string
  model: string
  failureBudget: FailureBudget
  options: Omit<RateLimiterOptions, 'clock'> | undefined
  clock: LimiterClock | undefined
}) => RateLimiter

/** What the runner keeps per key: one client, one monitor, one funding controller, limiters per model. */
export type KeyServices = {
  name: string
  venice: VeniceClient
  monitor: BalanceMonitor
  /**
   * Re-reads the account's balance and the key's own record (limit, usage) into the monitor, when the runner has an
   * ADMIN-backed reader; otherwise resolves at once (the monitor keeps what the headers said).
   */
  refreshStatus: () => Promise<void>
  funding: FundingController | undefined
  limiterFor: (model: string) => RateLimiter
  /** Runs `rotateKey` once for concurrent callers; true when a new key is in place. */
  rotate: (reason: 'expiring' | 'limit', detail: string) => Promise<boolean>
  /** Before a run: waits for the first key-record read and any rotation, and rotates a key about to expire (`undefined`: nothing to wait for). */
  prepare: () => Promise<void> | undefined
  /** True after a 402 that was not the account's (the key's own limit, or unexplained), until a new key or epoch. */
  capped: () => boolean
  /** What a 402 on this key means, from data (the key's record and usage, the balance headers); the message is a hint. */
  classify402: (info: { balanceDiem: number | undefined; balanceUsd: number | undefined; message: string | undefined }) => Promise<InsufficientVerdict>
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
 * const runner = createRunner({ baseURL, keys: [{ name: 'main', apiKey }], ledger, topUp: createWalletTopUp({ wallet, policy }), funding: policy })
 * const results = await Promise.all(prompts.map((prompt, i) => runner.run({ agent: `bot-${i}`, prompt, model: 'qwen3-4b' })))
 * ```
 */
export function createRunner(options: RunnerOptions) {
  if (!options.keys.length) throw new TypeError('createRunner needs at least one key')
  // One bounded keep-alive pool for all keys: 10,000 agents must not open 10,000 sockets (issue #18).
  const ownPool = options.dispatcher ? undefined : createConnectionPool({ connections: options.connections })
  const dispatcher = options.dispatcher ?? ownPool!
  const services = new Map<string, KeyServices>()
  const shared = { failureBudget: options.failureBudget ?? createFailureBudget(), rpm: new Map<string, number>() }
  for (const k of options.keys) services.set(k.name, makeServices(k, options, shared, dispatcher))
  const first = services.get(options.keys[0]!.name)!
  const prices: PriceBook = createPriceBook(first.venice)

  // What a run on a key and model shares with every other such run, built once (issue #18: a run copies no options).
  const runServices = new Map<KeyServices, Map<string, RunServices>>()
  function servicesFor(s: KeyServices, model: string): RunServices {
    let byModel = runServices.get(s)
    if (!byModel) runServices.set(s, (byModel = new Map()))
    let r = byModel.get(model)
    if (!r) {
      const ctx: CallContext = {
        openai: s.venice.openai,
        limiter: s.limiterFor(model),
        monitor: s.monitor,
        funding: s.funding,
        classify402: s.classify402,
        onKeyLimit: options.rotateKey ? (detail) => s.rotate('limit', detail) : undefined,
      }
      byModel.set(model, (r = { venice: s.venice, prices, monitor: s.monitor, ledger: options.ledger, ctx }))
    }
    return r
  }

  function pick(key: RunnerRunOptions['key']): KeyServices {
    if (key === undefined) return first // one candidate: no snapshot needed (this runs for every agent)
    const names = Array.isArray(key) ? key : [key]
    const candidates = names.map((n) => {
      const s = services.get(n)
      if (!s) throw new TypeError(`Unknown key "${n}"`)
      return s
    })
    return candidates.find((s) => s.monitor.snapshot().level !== 'exhausted' && !s.capped()) ?? candidates[0]!
  }

  return {
    prices,
    key: (name: string): KeyServices | undefined => services.get(name),
    keys: (): KeyServices[] => [...services.values()],
    /** Runs one agent on a key's shared services. */
    run(o: RunnerRunOptions): Promise<RunResult> {
      // Not an async function: with nothing to prepare, the run's own promise is returned (one less per run).
      let s: KeyServices
      let preparing: Promise<void> | undefined
      try {
        s = pick(o.key)
        preparing = s.prepare()
      } catch (e) {
        return Promise.reject(e)
      }
      const start = (): Promise<RunResult> => runAgentOn(o, servicesFor(s, o.model ?? o.characterSlug ?? 'default'))
      return preparing ? preparing.then(start) : start()
    },
    /** Stops refresh timers and closes the runner's own connection pool (after in-flight requests). */
    close(): void {
      for (const s of services.values()) s.monitor.stop()
      void ownPool?.close().catch(() => {})
    },
  }
}

/** A runner as returned by `createRunner`. */
export type Runner = ReturnType<typeof createRunner>

type Shared = { failureBudget: FailureBudget; rpm: Map<string, number> }

function makeServices(k: RunnerKey, o: RunnerOptions, shared: Shared, dispatcher: Dispatcher): KeyServices {
  const limiters = new Map<string, RateLimiter>()
  const now = o.clock?.now ?? Date.now
  // Header observations from REST calls (and chat) reach the monitor through the client hook.
  let monitorRef: BalanceMonitor | undefined
  const venice = createVeniceClient({
    baseURL: o.baseURL,
    apiKey: k.apiKey,
    siwx: o.siwx,
    fetch: o.fetch,
    dispatcher,
    logger: o.logger,
    // REST calls an agent makes (images, speech, rate limits) ride out dropped connections like chat does (callModel: 4).
    maxRetries: 4,
    onHeaders: (h, status, path) => {
      if (path.endsWith('/chat/completions')) return // the limiter and callModel see these
      // REST failures count toward the account's breaker too. A 402 is not passed on as "exhausted": only
      // the chat path decides (from data) whether a 402 is the account's or the key's own limit.
      if (status >= 400) void shared.failureBudget.record(now())
      monitorRef?.observeHeaders(h, status === 402 ? undefined : status)
    },
  })
  let keyState: KeyLimitState = keyLimitStateOf({ consumptionLimit: k.consumptionLimit, limitPeriod: k.limitPeriod })
  const readRecord = async (): Promise<void> => {
    const record = await o.fetchKeyRecord!(k.name)
    if (!record) return
    keyState = keyLimitStateOf(record)
    // What the key's own limit leaves this period: the monitor's spendable is capped by it (the status model's rule).
    monitor.setKeyLimitRemaining(keyLimitLeft({ limit: keyState.limit?.diem, used: keyState.used?.diem }))
    monitor.setKeyExpiresAt(record.expiresAt ? Date.parse(record.expiresAt) || undefined : undefined)
  }
  const learnLimits = (rl: RateLimits): void => {
    for (const m of rl.rateLimits) {
      const rpm = m.rateLimits.find((l) => l.type === 'RPM')?.amount
      if (m.apiModelId && rpm) shared.rpm.set(m.apiModelId, rpm)
    }
    for (const [name, l] of limiters) l.setLimit(rpmOf(name, l))
  }
  const rpmOf = (name: string, l?: RateLimiter): number | undefined => shared.rpm.get(l?.modelId() ?? '') ?? shared.rpm.get(name.split(':')[0]!)
  const fetchRateLimits = async (): Promise<RateLimits> => {
    const rl = await (o.fetchRateLimits ? o.fetchRateLimits(k.name) : venice.getRateLimits())
    learnLimits(rl)
    // The key's own record is the source of its expiry (an ADMIN key's `keyExpiration` is the ADMIN key's).
    if (o.fetchKeyRecord)
      await readRecord().catch((error: unknown) =>
        o.logger?.warn?.('runner: key record read failed', { key: k.name, error: error instanceof Error ? error.message : String(error) }),
      )
    return rl
  }
  const monitor = createBalanceMonitor({
    ...o.monitor,
    fetchRateLimits: o.siwx ? undefined : fetchRateLimits,
    // Signed in with SIWX: the balance is the wallet's x402 credits.
    fetchCredits: o.siwx ? async () => (await venice.getX402Balance(o.siwx!.signer.address)).balanceUsd : undefined,
    // `keyExpiration` describes the key that asked: only this key's own client may set the expiry from it.
    expiryFromRateLimits: !o.fetchRateLimits,
    // One runway threshold: the monitor's `low` fires exactly where the funding controller tops up.
    ...(o.funding && { lowRunwayHours: o.funding.minRunwayHours }),
    keyExpiresAt: k.expiresAt ? Date.parse(k.expiresAt) : undefined,
    now: o.clock?.now,
  })
  monitorRef = monitor
  if (o.refreshMs) monitor.start(o.refreshMs)
  // With an ADMIN-backed reader, read limits and the key's own record once up front (runs wait for it).
  // The ledger's burn is applied once the balances are in (both read at once): rated before them, it would be rated
  // against the key's own figures, which stand in for the account's until a balance is seen, and fund a full account.
  const ready: Promise<void> = Promise.all([
    o.fetchRateLimits || o.fetchKeyRecord || o.siwx ? monitor.refresh().catch(() => undefined) : undefined,
    o.readSpends ? pastSpends(k.name, o, now()) : undefined,
  ]).then(([, past]) => void (past && monitor.seedSpends(past)))
  const funding =
    o.topUp && o.funding
      ? createFundingController({
          monitor,
          topUp: o.topUp,
          policy: o.funding,
          now: o.clock?.now,
          name: k.name,
          onOutcome: o.onFundingOutcome ? (outcome, request) => o.onFundingOutcome!(k.name, outcome, request) : undefined,
        })
      : undefined
  funding?.attach()
  let rotating: Promise<boolean> | undefined
  let lastRotation = -Infinity
  let capped = false
  monitor.on('epochReset', () => (capped = false))
  const install = (next: InstalledKey): void => {
    capped = false
    venice.setApiKey(next.apiKey)
    keyState = { ...keyState, used: undefined }
    // A fresh key has spent nothing: its whole limit is left (until its record is read again).
    monitor.setKeyLimitRemaining(keyLimitLeft({ limit: keyState.limit?.diem, used: 0 }))
    monitor.setKeyExpiresAt(next.expiresAt ? Date.parse(next.expiresAt) : undefined)
  }
  const rotate = (reason: 'expiring' | 'limit', detail: string): Promise<boolean> => {
    if (!o.rotateKey) return Promise.resolve(false)
    // An expiring key is rotated at most once per cooldown, so short-lived replacements cannot loop.
    if (!rotating && reason === 'expiring' && now() - lastRotation < (o.rotateCooldownMs ?? 600_000)) return Promise.resolve(false)
    if (rotating) return rotating
    lastRotation = now()
    let installed = false
    // The provisioner installs the new key before it revokes the old one, so no request goes out on a revoked key.
    const installOnce = (next: InstalledKey) => {
      installed = true
      install(next)
    }
    const p = o
      .rotateKey({ name: k.name, reason, detail, install: installOnce })
      .catch((error: unknown): RotatedKey => {
        o.logger?.warn?.('runner: key rotation failed', { key: k.name, reason, error: error instanceof Error ? error.message : String(error) })
        return undefined
      })
      .then((rotated) => {
        rotating = undefined
        if (!rotated) return installed
        // Monitor updates run after `rotating` is cleared, so an event they fire may rotate again.
        if (!installed) install(typeof rotated === 'string' ? { apiKey: rotated } : rotated)
        return true
      })
    rotating = p
    return p
  }
  monitor.on('keyExpiring', (s) => void rotate('expiring', `expires in ${s.expiresInHours.toFixed(1)} h`))
  let readyDone = false
  void ready.then(() => (readyDone = true))
  const prepareSlow = async (): Promise<void> => {
    await ready
    if (rotating) await rotating
    const expires = monitor.keyExpiresAt()
    if (expires !== undefined && expires - now() < (o.rotateAheadMs ?? 600_000)) await rotate('expiring', `expires at ${new Date(expires).toISOString()}`)
  }
  // Runs before every agent run: when nothing is pending and the key is not about to expire, nothing to await.
  const prepare = (): Promise<void> | undefined => {
    if (!readyDone || rotating) return prepareSlow()
    const expires = monitor.keyExpiresAt()
    return expires !== undefined && expires - now() < (o.rotateAheadMs ?? 600_000) ? prepareSlow() : undefined
  }
  const classify = async (info: {
    balanceDiem: number | undefined
    balanceUsd: number | undefined
    message: string | undefined
  }): Promise<InsufficientVerdict> => {
    if (o.siwx) return { cause: 'account', reason: 'the x402 credits are short' }
    if (o.fetchKeyRecord) await readRecord().catch(() => undefined)
    const verdict = classify402({ ...info, key: keyState })
    if (verdict.cause !== 'account') capped = true
    return verdict
  }
  return {
    name: k.name,
    venice,
    monitor,
    // After the start-up reads (the ledger's burn included), so a fresh process's first answer is already whole.
    refreshStatus: () => ready.then(() => (o.fetchRateLimits || o.fetchKeyRecord || o.siwx ? monitor.refresh() : undefined)),
    funding,
    rotate,
    prepare,
    capped: () => capped,
    classify402: classify,
    limiterFor(model) {
      let l = limiters.get(model)
      if (!l) {
        const failureBudget = o.limiter?.failureBudget ?? shared.failureBudget
        l = o.createLimiter
          ? o.createLimiter({ keyName: k.name, apiKey: k.apiKey, model, failureBudget, options: o.limiter, clock: o.clock })
          : createRateLimiter({ ...o.limiter, failureBudget, clock: o.clock })
        limiters.set(model, l)
        const rpm = rpmOf(model)
        if (rpm !== undefined && o.limiter?.initialLimit === undefined) l.setLimit(rpm)
      }
      return l
    },
  }
}

/** A key's spends in the burn window, from the ledger's lines of its rail (a SIWX runner's are its x402 calls). */
async function pastSpends(name: string, o: RunnerOptions, now: number): Promise<{ at: number; amount: number }[]> {
  const since = now - (o.monitor?.burnWindowMs ?? DEFAULT_BURN_WINDOW_MS)
  try {
    const lines = await o.readSpends!(name, since)
    return lines
      .filter((e) => e.agent === name && isX402Spend(e) === Boolean(o.siwx) && Date.parse(e.ts) >= since)
      .map((e) => ({ at: Date.parse(e.ts), amount: e.costDiem + e.costUsd }))
  } catch (error) {
    // The burn then starts with this process, as it did before the ledger was read: say so, do not fail the run.
    o.logger?.warn?.('runner: spend ledger not read; burn starts now', { key: name, error: error instanceof Error ? error.message : String(error) })
    return []
  }
}
