/**
 * The one classifier of "the request got no (complete) answer": used by the Venice client (retry or not), the
 * wallet (an unreachable RPC is not an answer from the chain), and the exit-code mapping (network, 5).
 */

/** Node (net, dns) and undici error codes of a request that got no (complete) answer. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
])

/**
 * Classes of connection failures, by constructor name: viem's transport errors and the openai SDK's connection
 * errors (whose `name` is plain "Error"). By name, not `instanceof`, so that classifying an error loads neither
 * SDK: the CLI's error path (exit codes) must not pull viem and openai into a cold `gondola --version`.
 */
const NETWORK_ERROR_CLASSES: ReadonlySet<string> = new Set([
  'HttpRequestError',
  'TimeoutError',
  'WebSocketRequestError',
  'SocketClosedError',
  'APIConnectionError',
  'APIConnectionTimeoutError',
])

/** Error names of connection failures: the SDKs' connection errors, undici's, and `AbortSignal.timeout`'s `TimeoutError`. */
const NETWORK_ERROR_NAMES: ReadonlySet<string> = new Set([
  'APIConnectionError',
  'APIConnectionTimeoutError',
  'TimeoutError',
  'ConnectTimeoutError',
  'SocketError',
])

/**
 * Whether this one error (not its causes) is a network failure: viem's HTTP/WebSocket/timeout/socket errors,
 * the openai SDK's connection errors (whose `name` is plain "Error"), a connection-error name, a Node/undici
 * network code, or fetch's own `TypeError` ("fetch failed", "terminated" when the body is cut). Any other
 * `TypeError` is a bug, not a network fault.
 *
 * @example
 * ```ts
 * isNetworkFailure(Object.assign(new Error('other side closed'), { code: 'UND_ERR_CLOSED' })) // true
 * isNetworkFailure(new TypeError('x is undefined'))                                           // false
 * ```
 */
export function isNetworkFailure(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false
  const cls = (e as { constructor?: { name?: unknown } }).constructor?.name
  if (e instanceof Error && typeof cls === 'string' && NETWORK_ERROR_CLASSES.has(cls)) return true
  const { name, code } = e as { name?: unknown; code?: unknown }
  if (typeof name === 'string' && NETWORK_ERROR_NAMES.has(name)) return true
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true
  return e instanceof TypeError && /^(fetch failed|terminated)$/.test(e.message)
}

/**
 * Whether `err` or any error in its cause chain is a network failure (see `isNetworkFailure`).
 *
 * @example
 * ```ts
 * isNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })) // true
 * ```
 */
export function isNetworkError(err: unknown): boolean {
  return findCause(err, isNetworkFailure) !== undefined
}

/**
 * The first error in the cause chain (`err` itself first, at most 12 deep, cycles stopped) for which `fn` is true.
 *
 * @example
 * ```ts
 * const coded = findCause(err, (e) => typeof (e as { code?: unknown }).code === 'string')
 * ```
 */
export function findCause(err: unknown, fn: (e: unknown) => boolean): unknown {
  const seen = new Set<unknown>()
  for (let e: unknown = err, depth = 0; e && depth < 12 && !seen.has(e); e = (e as { cause?: unknown }).cause, depth++) {
    seen.add(e)
    if (fn(e)) return e
  }
  return undefined
}

/** Whether `e` carries a Node/undici network error code (ECONNREFUSED, UND_ERR_CLOSED, …). */
export function hasNetworkCode(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code)
}
