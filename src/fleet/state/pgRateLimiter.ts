/**
 * One rate budget per key (and model) for the whole fleet: the same `RateLimiter` the runner uses in one process,
 * with its window accounting in a Postgres row (`gondola.rate_acquire` / `gondola.rate_settle`, migration 005).
 * Every grant is one round trip that locks the row, rolls the window over when the server's reset has passed,
 * and either grants or tells the caller how long to wait — until the reset the server announced, so waiters
 * sleep instead of polling. Every answer is one more round trip (its headers teach the window's end and the
 * limit; a 429 blocks the bucket until the reset). With a failure budget from `createPgFailureBudget` the
 * account's breaker is checked inside the same statement.
 *
 * With a step writer, an answer's settle also asks for the grant of the key's next call (`gondola.rate_prefetch`,
 * migration 023): a spare held by this process, taken by the next `acquire` without a round trip. A spare is only
 * granted while a quarter of the window stays free, is an ordinary grant (a lease of one window), and is given back
 * (settled as not sent) when no call took it within `spareMs`: a step then costs one round trip, not two.
 *
 * Scope: callers' clocks are compared with each other (grant times, resets); keep workers' clocks in sync (NTP),
 * the 25 ms margin absorbs small skew.
 */
import { createHash } from 'node:crypto'
import type { FailureBudget } from '../../agent/failureBudget.js'
import type { LimiterFactory } from '../../agent/runner.js'
import type { LimiterClock, LimiterStats, LimiterTicket, RateLimiter } from '../../agent/rateLimiter.js'
import { abortScope, sleep as defaultSleep } from '../../util/sleep.js'
import type { VeniceHeaders } from '../../venice/headers.js'
import { getLogger, type Logger } from '../../util/logger.js'
import { redactText } from '../../util/redact.js'
import type { Database } from '../db/openDatabase.js'
import type { PgFailureBudget } from './pgFailureBudget.js'
import type { PrefetchRow, SettleRow, StepWriter } from './stepWriter.js'

export type PgRateLimiterOptions = {
  db: Database
  /** The shared budget's name: every limiter with the same bucket shares one window (e.g. `key:<hash>:<model>`). */
  bucket: string
  /** Requests per window when known (the RPM from `/api_keys/rate_limits`); else the first answer teaches it. */
  initialLimit?: number | undefined
  /** Window assumed until a reset header is seen. Default 60 s. */
  windowMs?: number | undefined
  /** Slack after a reset before sending again. Default 25 ms. */
  resetMarginMs?: number | undefined
  /** How long to wait while the window's end is unknown (the first answers are on their way). Default 1 s. */
  pollMs?: number | undefined
  /** The account's failure budget; one from `createPgFailureBudget` is checked in the same round trip. */
  failureBudget?: FailureBudget | undefined
  clock?: LimiterClock | undefined
  /** Where a lost answer is reported (warn, redacted). Default: the `fleet` logger. */
  logger?: Logger | undefined
  /** Settles go through it, in one round trip with the step's other writes (its ledger line), with a prefetch. */
  writer?: StepWriter | undefined
  /** How long (real ms) a prefetched grant waits for a call before it is given back. Default 1 s. */
  spareMs?: number | undefined
  /** Prefetched grants held at once by this limiter (its concurrent runs). Default 4; 0 turns prefetching off. */
  maxSpares?: number | undefined
}

/** A grant taken ahead of need: its window and grant time (what its settle names). */
type Spare = { win: number; grantedAt: number }

/**
 * A name for a key's bucket that does not reveal the key: a SHA-256 prefix of it, and the model.
 *
 * @example
 * ```ts
 * keyBucketOf(apiKey, 'qwen3-4b') // 'key:3f9a…:qwen3-4b'
 * ```
 */
export function keyBucketOf(apiKey: string, model: string): string {
  return `key:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}:${model}`
}

/**
 * @example
 * ```ts
 * const limiter = createPgRateLimiter({ db, bucket: keyBucketOf(apiKey, 'qwen3-4b'), initialLimit: 20 })
 * const ticket = await limiter.acquire()
 * ticket.done(headers, 200)
 * ```
 */
export function createPgRateLimiter(options: PgRateLimiterOptions): RateLimiter {
  const { db, bucket } = options
  const clock = options.clock ?? { now: Date.now, sleep: defaultSleep }
  const windowMs = options.windowMs ?? 60_000
  const margin = options.resetMarginMs ?? 25
  const poll = options.pollMs ?? 1_000
  const budget = options.failureBudget
  const shared = budget && 'shared' in budget ? (budget as PgFailureBudget).shared : undefined
  const inlineBudget = shared && shared.db !== db ? undefined : shared
  const separateBudget = budget && !inlineBudget ? budget : undefined
  let limit = options.initialLimit
  let modelId: string | undefined
  let last: { resetAt: number | undefined; pending: number } = { resetAt: undefined, pending: 0 }
  let pending = 0
  const stats: LimiterStats = { granted: 0, rateLimited: 0, failures: 0, waitsMs: 0 }
  // Answers in this process wake this process's waiters early (another worker's do not: they sleep to the reset).
  let wake: (() => void) | undefined
  let changed = new Promise<void>((r) => (wake = r))
  const notify = () => {
    wake?.()
    changed = new Promise<void>((r) => (wake = r))
  }
  const log = options.logger ?? getLogger('fleet', { component: 'rate-budget' })
  const spareMs = options.spareMs ?? 1_000
  const maxSpares = options.writer && !separateBudget ? (options.maxSpares ?? 4) : 0
  // Grants taken ahead of need (with a settle), oldest first; each given back if no call takes it within spareMs.
  const spares: Array<Spare & { timer: ReturnType<typeof setTimeout> }> = []
  // This process's calls sleeping for the window: a spare that arrives is handed to the longest waiting at once.
  const waiters: Array<(spare: Spare) => void> = []
  let asking = 0
  const settleRow = (win: number, grantedAt: number, status: number | null, h: VeniceHeaders | undefined): SettleRow => ({
    bucket,
    win,
    granted_at: grantedAt,
    now: Math.floor(clock.now()),
    status,
    reset: h?.resetRequestsAtMs ?? null,
    remaining: h?.remainingRequests ?? null,
    retry_after: h?.retryAfterMs ?? null,
    window_ms: windowMs,
    margin,
    account: inlineBudget?.account ?? null,
  })
  const settle = (win: number, grantedAt: number, status: number | null, h: VeniceHeaders | undefined): Promise<void> =>
    (options.writer
      ? options.writer.settle(settleRow(win, grantedAt, status, h))
      : (() => {
          const r = settleRow(win, grantedAt, status, h)
          return db.query('SELECT gondola.rate_settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)', [
            r.bucket,
            r.win,
            r.granted_at,
            r.now,
            r.status,
            r.reset,
            r.remaining,
            r.retry_after,
            r.window_ms,
            r.margin,
            r.account,
          ])
        })()
    ).then(
      () => {},
      // A lost answer only under-uses the window: its grant is a lease that ends one window after it was
      // taken (migration 021), and the next grant re-reads the row. Said, not thrown: the call itself went through.
      (err: unknown) =>
        log.warn('rate budget: an answer was not recorded; its grant lapses after one window', {
          bucket,
          status,
          error: redactText(err instanceof Error ? err.message : String(err)),
        }),
    )

  async function acquire(signal?: AbortSignal): Promise<LimiterTicket> {
    for (;;) {
      signal?.throwIfAborted()
      const spare = takeSpare()
      if (spare) return ticket(spare.win, spare.grantedAt)
      const now = Math.floor(clock.now())
      const [r] = await db.query<{ ok: boolean; wait_ms: string; win: string }>(
        // With prefetching, a "wait" is noted: the key is contended and takes no grant ahead of need (migration 023).
        `SELECT * FROM gondola.${maxSpares > 0 ? 'rate_acquire_noted' : 'rate_acquire'}($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [bucket, now, limit ?? null, windowMs, margin, poll, inlineBudget?.account ?? null, inlineBudget?.maxFailures ?? 15, inlineBudget?.windowMs ?? 30_000],
      )
      let wait = Number(r!.wait_ms)
      const win = Number(r!.win)
      if (r!.ok && separateBudget) {
        wait = await separateBudget.admit(clock.now())
        if (wait > 0) await settle(win, now, -1, undefined)
      }
      if (r!.ok && wait <= 0) return ticket(win, now)
      const started = clock.now()
      // Waiting for a known reset: sleep to it (waking on every local answer would only re-ask the row). While
      // the limit is still unknown (a probe in flight), this process's answers wake the waiters early. A spare
      // prefetched meanwhile by another call of this process is handed over at once (else it would sit unused).
      // A sleep the change outran stays pending until its timer: on a scope of its own, not on the caller's signal.
      const scope = abortScope(signal)
      let handed: Spare | undefined
      let wake: () => void = () => {}
      const waiter = (s: Spare) => {
        handed = s
        wake()
      }
      waiters.push(waiter)
      const sleeping = clock.sleep(wait, scope.signal)
      await Promise.race([sleeping, new Promise<void>((r) => (wake = r)), ...(limit === undefined ? [changed] : [])]).finally(() => {
        scope.release()
        const i = waiters.indexOf(waiter)
        if (i >= 0) waiters.splice(i, 1)
      })
      stats.waitsMs += clock.now() - started
      const got = handed as Spare | undefined
      if (got) return ticket(got.win, got.grantedAt)
    }
  }

  /** A spare still well inside its lease (half a window), or none: older ones are given back. */
  function takeSpare(): Spare | undefined {
    for (let s = spares.shift(); s; s = spares.shift()) {
      clearTimeout(s.timer)
      if (clock.now() - s.grantedAt < windowMs / 2) return s
      void settle(s.win, s.grantedAt, -1, undefined)
    }
    return undefined
  }

  /** Asks for a spare with the settle just queued (same statement): the next call then needs no round trip. */
  function prefetch(): void {
    if (!options.writer || spares.length + asking >= maxSpares) return
    const row: PrefetchRow = {
      bucket,
      now: Math.floor(clock.now()),
      window_ms: windowMs,
      margin,
      poll,
      account: inlineBudget?.account ?? null,
      max_failures: inlineBudget?.maxFailures ?? 15,
      failure_window: inlineBudget?.windowMs ?? 30_000,
    }
    asking++
    options.writer.prefetch(row).then(
      (a) => {
        asking--
        if (!a.ok) return
        const waiter = waiters.shift()
        if (waiter) return waiter({ win: a.win, grantedAt: row.now })
        const spare = { win: a.win, grantedAt: row.now, timer: setTimeout(() => giveBack(spare), spareMs) }
        spare.timer.unref()
        spares.push(spare)
      },
      // No spare: the statement failed (its settle warns); a grant it may have taken lapses after one window.
      () => void asking--,
    )
  }

  function giveBack(spare: (typeof spares)[number]): void {
    const i = spares.indexOf(spare)
    if (i < 0) return
    spares.splice(i, 1)
    void settle(spare.win, spare.grantedAt, -1, undefined).then(notify)
  }

  function ticket(win: number, grantedAt: number): LimiterTicket {
    pending++
    stats.granted++
    let reported = false
    return {
      done(headers, status) {
        if (reported) return
        reported = true
        pending--
        note(headers, status)
        if (separateBudget) void separateBudget.settle(clock.now(), status !== undefined && status >= 400)
        void settle(win, grantedAt, status ?? null, headers).then(notify)
        // Only after an answer that went through: after a failure the caller's retry asks the row itself.
        if (status !== undefined && status < 400) prefetch()
      },
    }
  }

  function note(h: VeniceHeaders | undefined, status: number | undefined): void {
    if (status !== undefined && status >= 400) stats.failures++
    if (status === 429) stats.rateLimited++
    if (h?.modelId !== undefined) modelId = h.modelId
    if (h?.resetRequestsAtMs !== undefined) last = { resetAt: h.resetRequestsAtMs, pending }
  }

  return {
    acquire,
    observe(h: VeniceHeaders, status: number) {
      note(h, status)
      if (separateBudget && status >= 400) void separateBudget.record(clock.now())
      // Outside a ticket: no grant to settle (win far ahead, grant time -1), only what the headers teach.
      void settle(Number.MAX_SAFE_INTEGER, -1, status, h).then(notify)
    },
    /** Sets the fleet's limit for this bucket. An unknown limit (undefined) keeps the one known or learned so far. */
    setLimit(n: number | undefined): void {
      if (n === undefined || !Number.isFinite(n) || n <= 0) return
      limit = Math.floor(n)
      void db.query('UPDATE gondola.rate_buckets SET lim = $2 WHERE bucket = $1', [bucket, limit]).catch((err: unknown) =>
        log.warn('rate budget: the limit was not stored; the next answer teaches it', {
          bucket,
          error: redactText(err instanceof Error ? err.message : String(err)),
        }),
      )
    },
    modelId: () => modelId,
    stats: () => ({ ...stats }),
    state: () => ({ limit, available: Number.NaN, resetAt: last.resetAt, pending }),
  } as RateLimiter
}

/**
 * The bucket's shared counters, across the fleet (for `gondola fleet status` and tests).
 *
 * @example
 * ```ts
 * await readRateBucket(db, keyBucketOf(apiKey, 'qwen3-4b')) // { granted: 120, rateLimited: 0, … }
 * ```
 */
export async function readRateBucket(
  db: Database,
  bucket: string,
): Promise<{ limit: number | undefined; granted: number; rateLimited: number; failures: number; inFlight: number } | undefined> {
  const [row] = await db.query<{ lim: number | null; granted_total: string; limited_total: string; failures_total: string; in_flight: number }>(
    'SELECT lim, granted_total, limited_total, failures_total, coalesce(array_length(in_flight, 1), 0) AS in_flight FROM gondola.rate_buckets WHERE bucket = $1',
    [bucket],
  )
  if (!row) return undefined
  return {
    limit: row.lim ?? undefined,
    granted: Number(row.granted_total),
    rateLimited: Number(row.limited_total),
    failures: Number(row.failures_total),
    inFlight: row.in_flight,
  }
}

/**
 * The runner's `createLimiter` for fleet mode: every key (and model) gets the fleet's shared Postgres budget,
 * named from a hash of the key (`keyBucketOf`), checked together with the account's failure budget.
 *
 * @example
 * ```ts
 * const failureBudget = createPgFailureBudget(db, wallet.address)
 * const runner = createRunner({ baseURL, keys, failureBudget, createLimiter: pgLimiterFactory(db) })
 * ```
 */
export function pgLimiterFactory(
  db: Database,
  options: {
    pollMs?: number | undefined
    bucketOf?: ((p: { keyName: string; apiKey: string; model: string }) => string) | undefined
    writer?: StepWriter | undefined
  } = {},
): LimiterFactory {
  return (p) =>
    createPgRateLimiter({
      db,
      bucket: options.bucketOf ? options.bucketOf(p) : keyBucketOf(p.apiKey, p.model),
      initialLimit: p.options?.initialLimit,
      windowMs: p.options?.windowMs,
      resetMarginMs: p.options?.resetMarginMs,
      pollMs: options.pollMs,
      failureBudget: p.failureBudget,
      clock: p.clock,
      writer: options.writer,
    })
}
