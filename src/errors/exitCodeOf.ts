import { BaseError } from './BaseError.js'
import { ExitCode, type ExitCodeValue } from './exitCodes.js'

/** Node/undici error codes of a request that never got an answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
])

/**
 * The process exit code for any thrown value (see `exitCodes.ts`). The cause chain is walked from the outside
 * in, and the first error with a class wins: a `BaseError` whose `exitCode` is not the generic 1; viem's
 * transport errors (HTTP, WebSocket, timeout) and fetch/socket failures → network (5); viem's
 * `InsufficientFundsError` → funds (6); citty's own argument errors → usage (2). Anything else is 1.
 *
 * @example
 * ```ts
 * import { HttpRequestError } from 'viem'
 * exitCodeOf(new HttpRequestError({ url: 'http://127.0.0.1:1' })) // 5
 * exitCodeOf(new Error('boom'))                                    // 1
 * ```
 */
export function exitCodeOf(err: unknown): ExitCodeValue {
  const seen = new Set<unknown>()
  for (let e = err; e !== undefined && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e)
    const code = classOf(e)
    if (code !== undefined) return code
  }
  return ExitCode.error
}

/**
 * viem's transport errors, by the `name` viem gives them: matching names instead of `instanceof` keeps viem (350
 * modules) out of the CLI's start-up, which classifies every failure, even of `gondola --version`.
 */
const VIEM_NETWORK = new Set(['HttpRequestError', 'TimeoutError', 'WebSocketRequestError', 'SocketClosedError'])

function classOf(e: unknown): ExitCodeValue | undefined {
  if (e instanceof BaseError) return e.exitCode === ExitCode.error ? undefined : e.exitCode
  if (typeof e !== 'object') return undefined
  const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown }
  if (e instanceof Error && typeof name === 'string' && VIEM_NETWORK.has(name)) return ExitCode.network
  if (e instanceof Error && name === 'InsufficientFundsError') return ExitCode.funds
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return ExitCode.network
  // fetch() rejects with `TypeError: fetch failed` (cause: the socket error); the openai SDK wraps it as APIConnectionError.
  if (e instanceof TypeError && message === 'fetch failed') return ExitCode.network
  if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError') return ExitCode.network
  // citty's own CLIError (unknown command, missing positional): ours extend BaseError and were handled above.
  if (name === 'CLIError' && typeof code === 'string' && code.startsWith('E')) return ExitCode.usage
  return undefined
}
