import type { HeadersLike } from './errors.js'
import { parseVeniceHeaders } from './headers.js'

/** Statuses worth retrying (openai-node's rule): 408, 409, 429, 5xx. Connection errors (no status) too. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500
}

/** Backoff bounds for `retryDelayMs`. */
export type BackoffOptions = { initialMs?: number; maxMs?: number; random?: () => number }

/**
 * How long to wait before retry number `attempt` (0-based): the server's `retry-after-ms` / `Retry-After`,
 * else for a 429 the `x-ratelimit-reset-requests` moment, else exponential 0.5 s → 8 s with up to 25 % jitter.
 * A server hint over 60 s is ignored in favour of the backoff (openai-node does the same).
 *
 * @example
 * ```ts
 * retryDelayMs({ attempt: 0, status: 503, headers: undefined, now: 0, random: () => 0 }) // 500
 * retryDelayMs({ attempt: 0, status: 429, headers: new Headers({ 'retry-after-ms': '1200' }), now: 0 }) // 1200
 * ```
 */
export function retryDelayMs(p: { attempt: number; status: number | undefined; headers: HeadersLike; now: number } & BackoffOptions): number {
  const h = parseVeniceHeaders(p.headers, p.now)
  if (h.retryAfterMs !== undefined && h.retryAfterMs <= 60_000) return h.retryAfterMs
  if (p.status === 429 && h.resetRequestsAtMs !== undefined) {
    const wait = h.resetRequestsAtMs - p.now
    if (wait >= 0 && wait <= 60_000) return wait
  }
  return backoffMs(p.attempt, p)
}

/**
 * Exponential backoff with jitter: `initialMs × 2^attempt`, capped at `maxMs`, minus up to 25 % jitter.
 *
 * @example
 * ```ts
 * backoffMs(0, { random: () => 0 }) // 500
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

/** Resolves after `ms`, or rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
