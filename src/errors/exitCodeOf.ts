import { isNetworkFailure } from './networkError.js'
import { BaseError } from './BaseError.js'
import { ExitCode, type ExitCodeValue } from './exitCodes.js'

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

function classOf(e: unknown): ExitCodeValue | undefined {
  if (e instanceof BaseError) return e.exitCode === ExitCode.error ? undefined : e.exitCode
  if (isNetworkFailure(e)) return ExitCode.network
  // By name, so that mapping an error to its exit code loads no viem (a cold `gondola --version` stays light).
  if (e instanceof Error && (e as { name?: unknown }).name === 'InsufficientFundsError') return ExitCode.funds
  if (typeof e !== 'object') return undefined
  const { name, code } = e as { name?: unknown; code?: unknown }
  // citty's own CLIError (unknown command, missing positional): ours extend BaseError and were handled above.
  if (name === 'CLIError' && typeof code === 'string' && code.startsWith('E')) return ExitCode.usage
  return undefined
}
