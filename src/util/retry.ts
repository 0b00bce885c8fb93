/**
 * The one retry policy for every REST call Gondola makes (Venice, webhooks, Bluesky), after openai-node:
 * - retry only 408, 409, 429, 5xx and connection failures (no status);
 * - wait what the server says (`retry-after-ms`, then `Retry-After` in seconds or as an HTTP date), when it says
 *   at most 60 s; else exponential backoff 0.5 s → 8 s with up to 25 % jitter;
 * - never retry blindly what may have taken effect and is not idempotent (a signed transaction, a key mint):
 *   callers of such requests pass `maxRetries: 0` or a `classify` that refuses.
 *
 * `withRetries` is the loop; `retryDelayMs` and `isRetryableStatus` are its rules, for the few loops that
 * interleave other decisions (the chat call's 402 funding, the rate limiter's reset wait).
 */
import { sleep as defaultSleep } from './sleep.js'

/** A fetch `Headers` or a plain object of header values (any case). */
export type HeadersLike = Headers | Readonly<Record<string, string | undefined>> | undefined | null

/** A server's advice longer than this is ignored in favour of the backoff (openai-node does the same). */
export const MAX_SERVER_WAIT_MS = 60_000

/**
 * Whether a response status is worth retrying: 408, 409, 429, 5xx; `undefined` (no answer: a connection failure) too.
 *
 * @example
 * ```ts
 * isRetryableStatus(503)       // true
 * isRetryableStatus(undefined) // true: the connection failed
 * isRetryableStatus(400)       // false
 * ```
 */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500
}

/**
 * The server-advised wait in ms: `retry-after-ms`, then `Retry-After` (seconds, or an HTTP date); `undefined`
 * when neither is present and readable. The only Retry-After parser in Gondola.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ 'retry-after': '2' }))         // 2000
 * retryAfterMs({ 'Retry-After-Ms': '150' })                  // 150
 * retryAfterMs(new Headers({ 'retry-after': 'soon' }))      // undefined
 * ```
 */
export function retryAfterMs(headers: HeadersLike, now: number = Date.now()): number | undefined {
  return retryAfterFromValues(header(headers, 'retry-after-ms'), header(headers, 'retry-after'), now)
}

/**
 * `retryAfterMs` on values already read (`retry-after-ms`, `Retry-After`), for callers that pick headers themselves.
 *
 * @example
 * ```ts
 * retryAfterFromValues(undefined, 'Wed, 21 Oct 2015 07:28:02 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')) // 2000
 * ```
 */
export function retryAfterFromValues(retryAfterMsValue: string | null | undefined, retryAfter: string | null | undefined, now: number): number | undefined {
  const ms = toNumber(retryAfterMsValue)
  if (ms !== undefined && ms >= 0) return ms
  if (retryAfter === undefined || retryAfter === null) return undefined
  const seconds = toNumber(retryAfter)
  if (seconds !== undefined) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(retryAfter)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Backoff bounds (defaults: 500 ms doubling to 8 s, `Math.random` jitter). */
export type BackoffOptions = { initialMs?: number | undefined; maxMs?: number | undefined; random?: (() => number) | undefined }

/**
 * Exponential backoff with jitter for retry number `attempt` (0-based): `initialMs × 2^attempt`, capped at
 * `maxMs`, minus up to 25 % jitter.
 *
 * @example
 * ```ts
 * backoffMs(0, { random: () => 0 })  // 500
 * backoffMs(10, { random: () => 0 }) // 8000
 * ```
 */
export function backoffMs(attempt: number, o: BackoffOptions = {}): number {
  const initial = o.initialMs ?? 500
  const max = o.maxMs ?? 8000
  const base = Math.min(initial * 2 ** attempt, max)
  const jitter = 1 - (o.random ?? Math.random)() * 0.25
  return Math.round(base * jitter)
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's `retry-after-ms` / `Retry-After`, else
 * `resetAtMs` (a rate-limit window's end, e.g. Venice's `x-ratelimit-reset-requests` on a 429), each only when
 * within 60 s; else the exponential backoff.
 *
 * @example
 * ```ts
 * retryDelayMs({ attempt: 0, headers: undefined, now: 0, random: () => 0 })                      // 500
 * retryDelayMs({ attempt: 0, headers: new Headers({ 'retry-after-ms': '1200' }), now: 0 })        // 1200
 * ```
 */
export function retryDelayMs(p: { attempt: number; headers: HeadersLike; now: number; resetAtMs?: number | undefined } & BackoffOptions): number {
  const advised = retryAfterMs(p.headers, p.now)
  if (advised !== undefined && advised <= MAX_SERVER_WAIT_MS) return advised
  if (p.resetAtMs !== undefined) {
    const wait = p.resetAtMs - p.now
    if (wait >= 0 && wait <= MAX_SERVER_WAIT_MS) return wait
  }
  return backoffMs(p.attempt, p)
}

/** What a failed attempt was, for `withRetries`: its status (none for a connection failure) and headers. */
export type RetryableFailure = { status: number | undefined; headers?: HeadersLike; resetAtMs?: number | undefined }

/** Told before each wait (log it: a wait of a second or more is one a person notices). */
export type RetryNotice = { attempt: number; delayMs: number; status: number | undefined; error: unknown }

/** Options of `withRetries`. */
export type WithRetriesOptions = BackoffOptions & {
  /** Retries after the first attempt (0: none). */
  maxRetries: number
  /**
   * What a thrown error was: a `RetryableFailure` (retried when its status is retryable), or `undefined` for an
   * error that is never retried (a verdict on a complete answer, a programming error, a non-idempotent request).
   */
  classify: (error: unknown) => RetryableFailure | undefined
  /** Aborts the wait between attempts (the wait rejects with the signal's reason). */
  signal?: AbortSignal | undefined
  /** Caps every wait (a channel that must not stall a bot for a minute). Default 60 s. */
  maxWaitMs?: number | undefined
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
  now?: (() => number) | undefined
  onRetry?: ((notice: RetryNotice) => void) | undefined
}

/**
 * Runs `attempt` until it resolves, retrying under the policy above: a failure `classify` describes with a
 * retryable status is retried after `retryDelayMs`, up to `maxRetries` times; anything else is thrown at once.
 *
 * @throws the last attempt's error, or the signal's reason when aborted during a wait.
 *
 * @example
 * ```ts
 * const res = await withRetries(() => postOnce(), {
 *   maxRetries: 3,
 *   classify: (e) => (e instanceof HttpStatusError ? { status: e.status, headers: e.headers } : undefined),
 * })
 * ```
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, o: WithRetriesOptions): Promise<T> {
  const sleep = o.sleep ?? defaultSleep
  const now = o.now ?? Date.now
  for (let n = 0; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      const failure = n < o.maxRetries && !o.signal?.aborted ? o.classify(error) : undefined
      if (!failure || !isRetryableStatus(failure.status)) throw error
      const delayMs = Math.min(
        o.maxWaitMs ?? MAX_SERVER_WAIT_MS,
        retryDelayMs({ ...o, attempt: n, headers: failure.headers, resetAtMs: failure.resetAtMs, now: now() }),
      )
      o.onRetry?.({ attempt: n + 1, delayMs, status: failure.status, error })
      await sleep(delayMs, o.signal)
    }
  }
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (!headers) return undefined
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v
  return undefined
}

function toNumber(v: string | null | undefined): number | undefined {
  if (v === undefined || v === null || v.trim() === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}
