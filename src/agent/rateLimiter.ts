import type { VeniceHeaders } from '../venice/headers.js'
import { abortScope, sleep as defaultSleep } from '../util/sleep.js'
import { createFailureBudget, type FailureBudget } from './failureBudget.js'

/** Clock and timer, injected so tests move time instead of waiting. */
export type LimiterClock = { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> }

/** Options of `createRateLimiter`. */
export type RateLimiterOptions = {
  /**
   * Requests per window (the model's RPM from `/api_keys/rate_limits`), used when a new window starts.
   * Without it each window starts with one probe request. `x-ratelimit-limit-requests` is never used: the
   * docs give it two meanings (the maximum, or the requests made so far).
   */
  initialLimit?: number | undefined
  /** Window length assumed when headers give no reset time. Default 60 s. */
  windowMs?: number | undefined
  /** Slack after a reset moment before sending again (client/server clock skew). Default 25 ms. */
  resetMarginMs?: number | undefined
  /** Venice blocks an account for 30 s after 20 failures in 30 s; stay below this count. Default 15 (ignored with `failureBudget`). */
  maxFailuresPer30s?: number | undefined
  /** The account's shared failure budget (every key of one wallet). Default: one of this limiter's own. */
  failureBudget?: FailureBudget | undefined
  clock?: LimiterClock | undefined
}

/** A granted slot. Report the response's headers (or its absence) exactly once. */
export type LimiterTicket = { done: (headers: VeniceHeaders | undefined, status: number | undefined) => void }

/** Counters for benches and status output. */
export type LimiterStats = { granted: number; rateLimited: number; failures: number; waitsMs: number }

/**
 * A client-side limiter shared by every agent using one key (and model): it paces requests on
 * `x-ratelimit-remaining-requests` and `x-ratelimit-reset-requests` (the two headers both doc pages describe
 * the same way) so many agents on one key do not trigger 429s, waits until the reset after a 429, and holds
 * back when the account's failures approach the 20-failures-in-30-seconds breaker.
 *
 * Within a window it never grants more than the server says remain, minus requests still in flight; a new
 * window starts with the limit learned from `/api_keys/rate_limits` (`setLimit`), else with the largest
 * `remaining + 1` the first answer of a window has shown (a lower bound of the limit), else with one probe.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ initialLimit: 20 })
 * const ticket = await limiter.acquire(signal)
 * const { response } = await openai.chat.completions.create(params).withResponse()
 * ticket.done(parseVeniceHeaders(response.headers), response.status)
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions = {}) {
  const clock = options.clock ?? { now: Date.now, sleep: defaultSleep }
  const windowMs = options.windowMs ?? 60_000
  const margin = options.resetMarginMs ?? 25
  const budget = options.failureBudget ?? createFailureBudget({ maxFailures: options.maxFailuresPer30s ?? 15, marginMs: margin })
  let limit = options.initialLimit
  // A lower bound of the limit seen from `remaining` alone: the first answer of a window says remaining = limit − used ≤ limit − 1.
  let observed: number | undefined
  // Window generation: a ticket from an earlier one that is answered as counted there gives its slot back.
  let gen = 0
  let available = options.initialLimit ?? 1
  let resetAt: number | undefined
  let tokensBlockedUntil = 0
  let pending = 0
  let probed = options.initialLimit !== undefined
  let modelId: string | undefined
  const stats: LimiterStats = { granted: 0, rateLimited: 0, failures: 0, waitsMs: 0 }
  // "Something changed" for waiters: made only when someone waits, so a grant with nobody queued allocates nothing.
  let wake: (() => void) | undefined
  let changed: Promise<void> | undefined
  const whenChanged = (): Promise<void> => (changed ??= new Promise<void>((r) => (wake = r)))
  const notify = () => {
    if (!wake) return
    const w = wake
    wake = changed = undefined
    w()
  }

  /** How long the caller must still wait (0 = may go now). */
  function waitMs(now: number): number {
    if (now < tokensBlockedUntil) return tokensBlockedUntil - now
    if (resetAt !== undefined && now >= resetAt + margin) {
      // The window rolled over: the limit is available again, minus requests still in flight (the server may
      // count them in the new window when they arrive late; if it counted them in the old one, we under-use).
      resetAt = undefined
      gen++
      available = Math.max(0, (limit ?? observed ?? 1) - pending)
      probed = (limit ?? observed) !== undefined
    }
    if (available > 0) return 0
    if (!probed) return Infinity // first probe in flight: wait for its headers
    if (resetAt !== undefined) return resetAt + margin - now
    return pending > 0 ? Infinity : windowMs
  }

  async function acquire(signal?: AbortSignal): Promise<LimiterTicket> {
    for (;;) {
      signal?.throwIfAborted()
      // The limiter's own window first, then the account's failure budget (which counts the request in flight).
      let ms = waitMs(clock.now())
      if (ms <= 0) {
        const admitted = budget.admit(clock.now())
        ms = typeof admitted === 'number' ? admitted : await admitted
        if (ms <= 0) {
          if (waitMs(clock.now()) <= 0) break
          // Another caller took the slot while the budget answered: hand the admission back and wait again.
          void budget.settle(clock.now(), false)
          continue
        }
      }
      const started = clock.now()
      const changedNow = whenChanged()
      if (Number.isFinite(ms)) {
        // A sleep the change outran stays pending until its timer: on a scope of its own, not on the caller's signal.
        const scope = abortScope(signal)
        await Promise.race([clock.sleep(ms, scope.signal), changedNow]).finally(scope.release)
      } else await raceAbort(changedNow, signal)
      stats.waitsMs += clock.now() - started
    }
    available--
    pending++
    stats.granted++
    const ticketGen = gen
    let reported = false
    return {
      done(headers, status) {
        if (reported) return
        reported = true
        pending--
        update(headers, status, true, ticketGen)
        notify()
      },
    }
  }

  function update(h: VeniceHeaders | undefined, status: number | undefined, admitted: boolean, ticketGen = gen) {
    const now = clock.now()
    // Every non-success status counts toward Venice's breaker (402 and 429 included). A request that got no
    // answer is not counted: the server sent nothing it could count, and counting local connection trouble
    // would throttle the whole account.
    const failed = status !== undefined && status >= 400
    if (failed) stats.failures++
    if (admitted) void budget.settle(now, failed)
    else if (failed) void budget.record(now)
    if (!h) {
      // No answer (connection error): let another request probe.
      if (!probed) available = Math.max(available, 1)
      return
    }
    if (h.modelId !== undefined) modelId = h.modelId
    if (status === 429) {
      stats.rateLimited++
      available = 0
      probed = true
      observed = undefined // the limit may have dropped: probe the next window
      const until = h.resetRequestsAtMs ?? (h.retryAfterMs !== undefined ? now + h.retryAfterMs : now + windowMs)
      resetAt = Math.max(resetAt ?? 0, until)
      return
    }
    const reset = h.resetRequestsAtMs
    if (h.remainingRequests !== undefined && reset !== undefined && (resetAt !== undefined ? reset < resetAt : reset <= now)) {
      // An answer counted in a window that is already over: it says nothing about this one. If it was sent
      // before the rollover, its slot was held back then: give it back.
      probed = true
      if (ticketGen < gen) available++
    } else if (h.remainingRequests !== undefined) {
      probed = true
      const serverLeft = h.remainingRequests - pending
      if (h.resetRequestsAtMs !== undefined && (resetAt === undefined || h.resetRequestsAtMs > resetAt)) {
        // First news of a (new) window.
        observed = Math.max(observed ?? 0, h.remainingRequests + 1)
        resetAt = h.resetRequestsAtMs
        available = Math.min(limit ?? serverLeft, serverLeft)
      } else {
        available = Math.min(available, serverLeft)
      }
    } else if (!probed) {
      // No rate-limit headers at all: stop probing one at a time.
      probed = true
      available = limit ?? Number.POSITIVE_INFINITY
    }
    if (h.remainingTokens !== undefined && h.remainingTokens <= 0 && h.resetTokensInMs !== undefined) {
      tokensBlockedUntil = Math.max(tokensBlockedUntil, now + h.resetTokensInMs)
    }
  }

  return {
    acquire,
    /** Feed headers seen outside a ticket (e.g. REST calls on the same key). */
    observe: (h: VeniceHeaders, status: number) => {
      update(h, status, false)
      notify()
    },
    /** Sets the per-window limit learned from `/api_keys/rate_limits`; it applies from the next window. */
    setLimit(n: number | undefined): void {
      limit = n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined
    },
    /** The model id Venice reported (`x-venice-model-id`), to look up its limits. */
    modelId: (): string | undefined => modelId,
    stats: (): LimiterStats => ({ ...stats }),
    /** Current view, for status output. */
    state: () => ({ limit, available, resetAt, pending }),
  }
}

/** A limiter as returned by `createRateLimiter`. */
export type RateLimiter = ReturnType<typeof createRateLimiter>

function raceAbort(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}
