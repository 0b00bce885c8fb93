import { retryAfterFromValues } from '../util/retry.js'
import type { HeadersLike } from './errors.js'

/** Everything Venice says about the caller in a response's headers. Absent headers are `undefined`. */
export type VeniceHeaders = {
  /** Diem balance before this request (`x-venice-balance-diem`). */
  balanceDiem: number | undefined
  /** USD balance before this request (`x-venice-balance-usd`). */
  balanceUsd: number | undefined
  limitRequests: number | undefined
  remainingRequests: number | undefined
  /** When the request window resets, ms since the epoch (`x-ratelimit-reset-requests` is a unix timestamp). */
  resetRequestsAtMs: number | undefined
  limitTokens: number | undefined
  remainingTokens: number | undefined
  /** Time until the token window resets, in ms (`x-ratelimit-reset-tokens` is in seconds). */
  resetTokensInMs: number | undefined
  /** Server-advised wait before retrying, in ms (`retry-after-ms`, else `Retry-After` seconds or HTTP date). */
  retryAfterMs: number | undefined
  /** Venice's request id (`CF-RAY`, else `x-request-id`). */
  requestId: string | undefined
  modelId: string | undefined
  modelName: string | undefined
  /** `x-venice-model-deprecation-warning`, when the model is scheduled to go. */
  deprecationWarning: string | undefined
  deprecationDate: string | undefined
  /** x402 credits left in USD after this request (`X-Balance-Remaining`, SIWX-authenticated calls only). */
  balanceRemainingUsd: number | undefined
}

/**
 * Parses Venice's response headers (balances, rate limits, request id, model, deprecation).
 *
 * @param headers - a fetch `Headers` or a plain object.
 * @param now - the current time in ms, used to resolve an HTTP-date `Retry-After`.
 * @returns the parsed fields; malformed or missing values are `undefined`, never `NaN`.
 *
 * @example
 * ```ts
 * const h = parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '12.5', 'x-ratelimit-remaining-requests': '19' }))
 * h.balanceDiem // 12.5
 * h.remainingRequests // 19
 * ```
 */
export function parseVeniceHeaders(headers: HeadersLike, now: number = Date.now()): VeniceHeaders {
  const h = pickVeniceHeaders(headers)
  return {
    balanceDiem: toNumber(h['x-venice-balance-diem']),
    balanceUsd: toNumber(h['x-venice-balance-usd']),
    limitRequests: toNumber(h['x-ratelimit-limit-requests']),
    remainingRequests: toNumber(h['x-ratelimit-remaining-requests']),
    resetRequestsAtMs: unixToMs(toNumber(h['x-ratelimit-reset-requests'])),
    limitTokens: toNumber(h['x-ratelimit-limit-tokens']),
    remainingTokens: toNumber(h['x-ratelimit-remaining-tokens']),
    resetTokensInMs: secondsToMs(toNumber(h['x-ratelimit-reset-tokens'])),
    retryAfterMs: retryAfterFromValues(h['retry-after-ms'], h['retry-after'], now),
    requestId: h['cf-ray'] ?? h['x-request-id'],
    modelId: h['x-venice-model-id'],
    modelName: h['x-venice-model-name'],
    deprecationWarning: h['x-venice-model-deprecation-warning'],
    deprecationDate: h['x-venice-model-deprecation-date'],
    balanceRemainingUsd: toNumber(h['x-balance-remaining']),
  }
}

/** The headers `parseVeniceHeaders` reads (lower case). */
const VENICE_HEADER_NAMES = new Set([
  'x-venice-balance-diem',
  'x-venice-balance-usd',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
  'retry-after-ms',
  'retry-after',
  'cf-ray',
  'x-request-id',
  'x-venice-model-id',
  'x-venice-model-name',
  'x-venice-model-deprecation-warning',
  'x-venice-model-deprecation-date',
  'x-balance-remaining',
])

/**
 * The wanted headers in one pass (this runs on every response): iterating a fetch `Headers` once costs a
 * fraction of sixteen `get` calls, each of which re-validates its name. Same answers as `headerValue`: a
 * `Headers` combines repeated values; a plain object gives its first key that matches case-insensitively.
 */
function pickVeniceHeaders(headers: HeadersLike): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  if (!headers) return out
  if (typeof (headers as Headers).get === 'function') {
    if (typeof (headers as Headers)[Symbol.iterator] === 'function') {
      for (const [k, v] of headers as Headers) if (VENICE_HEADER_NAMES.has(k)) out[k] = v
    } else for (const name of VENICE_HEADER_NAMES) out[name] = (headers as Headers).get(name) ?? undefined
    return out
  }
  for (const [k, v] of Object.entries(headers as Record<string, string | undefined>)) {
    const lower = k.toLowerCase()
    if (VENICE_HEADER_NAMES.has(lower) && !(lower in out)) out[lower] = v
  }
  return out
}

function toNumber(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

/** Unix timestamps may come in seconds or ms; anything past year 33658 in seconds is already ms. */
function unixToMs(v: number | undefined): number | undefined {
  if (v === undefined) return undefined
  return v > 1e12 ? v : v * 1000
}

function secondsToMs(v: number | undefined): number | undefined {
  return v === undefined ? undefined : v * 1000
}

/** Where a response's parsed headers are kept, on the `Headers` object itself (a WeakMap entry per response cost GC time). */
const PARSED = Symbol('gondola.veniceHeaders')

/**
 * `parseVeniceHeaders`, memoised per headers object: the client's header hook and the agent loop read
 * the same response, and parse it once between them (issue #18 item 2).
 *
 * @example
 * ```ts
 * const h = parseVeniceHeadersOnce(response.headers) // a second call returns the same object
 * ```
 */
export function parseVeniceHeadersOnce(headers: Headers, now?: number): VeniceHeaders {
  const slot = headers as Headers & { [PARSED]?: VeniceHeaders }
  let h = slot[PARSED]
  if (!h) slot[PARSED] = h = parseVeniceHeaders(headers, now)
  return h
}
