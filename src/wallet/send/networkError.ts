import { HttpRequestError, SocketClosedError, TimeoutError, WebSocketRequestError } from 'viem'
import { ReceiptTimeoutError } from '../errors.js'

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])

/**
 * Whether `err` (or one of its causes) says the chain RPC could not be reached: HTTP/socket failures, timeouts,
 * refused or reset connections, a receipt that never came. Such a failure is not an answer from the chain (a
 * quote that found no pool, a revert) and must not be reported as one.
 *
 * @example
 * ```ts
 * isNetworkError(new HttpRequestError({ url: 'http://127.0.0.1:8545' })) // true
 * ```
 */
export function isNetworkError(err: unknown): boolean {
  return Boolean(
    findCause(err, (e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError || e instanceof SocketClosedError || e instanceof ReceiptTimeoutError || hasNetworkCode(e)),
  )
}

/** Whether `e` carries a Node/undici network error code (ECONNREFUSED, …). */
export function hasNetworkCode(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && NETWORK_CODES.has(code)
}

/** The first error in the cause chain for which `fn` is true. */
export function findCause(err: unknown, fn: (e: unknown) => boolean): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 12; e = (e as { cause?: unknown }).cause, depth++) if (fn(e)) return e
  return undefined
}
