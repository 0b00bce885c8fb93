/**
 * How a top-up that did not happen is reported: a refusal by the funding window (a policy decision, exit 4),
 * or a failure (the RPC unreachable → exit 5, not enough ETH → exit 6, anything else → 1), always as ONE short
 * line with no URL: it goes to the model, into the run result and onto the terminal.
 */
import { BaseError as ViemBaseError, HttpRequestError, InsufficientFundsError as ViemInsufficientFundsError, SocketClosedError, TimeoutError, WebSocketRequestError } from 'viem'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { InsufficientFundsError, ReceiptTimeoutError } from '../wallet/errors.js'

/** A top-up inside the funding window (read from the wallet's journal under its lock). Nothing was sent. */
export class FundingWindowError extends BaseError {
  override name = 'FundingWindowError' as const
  override exitCode: ExitCodeValue = ExitCode.policy
  constructor(
    readonly lastAt: Date,
    readonly nextAt: Date,
  ) {
    super(`A top-up already ran at ${lastAt.toISOString()}; the funding policy allows the next one after ${nextAt.toISOString()}.`, {
      metaMessages: ['Nothing was sent. Work with the funds you have until then.'],
      code: 'FUNDING_WINDOW',
    })
  }
}

/** An automatic top-up the policy refused, so the run could not continue (exit 4). */
export class FundingRefusedError extends BaseError {
  override name = 'FundingRefusedError' as const
  override exitCode: ExitCodeValue = ExitCode.policy
}

/** A top-up that was attempted and failed. `shortMessage` is one line, safe for the model and the terminal. */
export class FundingFailedError extends BaseError {
  override name = 'FundingFailedError' as const
}

/**
 * Classifies why a top-up failed, as a {@link FundingFailedError} with one line and the exit code of its class.
 *
 * @example
 * ```ts
 * toFundingFailure(new HttpRequestError({ url: 'https://rpc/v2/KEY' })).shortMessage
 * // 'Top-up failed: the chain RPC could not be reached (HttpRequestError). …'
 * ```
 */
export function toFundingFailure(err: unknown): FundingFailedError {
  if (err instanceof FundingFailedError) return err
  const after = 'Anything already sent is journaled and finished on the next run.'
  if (isNetworkError(err)) {
    return new FundingFailedError(`Top-up failed: the chain RPC could not be reached (${networkReason(err)}). ${after}`, { cause: err, exitCode: ExitCode.network, code: 'FUNDING_NETWORK', details: '' })
  }
  if (isFundsError(err)) {
    const reason = err instanceof BaseError ? oneLine(err.shortMessage) : 'the node reports insufficient funds for value + gas'
    return new FundingFailedError(`Top-up failed: not enough ETH — ${reason}`, { cause: err, exitCode: ExitCode.funds, code: 'FUNDING_FUNDS', details: '' })
  }
  const reason = err instanceof BaseError || err instanceof ViemBaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)
  return new FundingFailedError(`Top-up failed: ${oneLine(reason)} ${after}`, { cause: err, code: 'FUNDING_FAILED', details: '', ...(err instanceof BaseError ? { exitCode: err.exitCode } : {}) } satisfies BaseErrorParameters)
}

/** Whether `err` (or its causes) says the RPC could not be reached: HTTP/socket failures, timeouts, refused connections. */
export function isNetworkError(err: unknown): boolean {
  return Boolean(
    find(err, (e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError || e instanceof SocketClosedError || e instanceof ReceiptTimeoutError || hasNetworkCode(e)),
  )
}

function isFundsError(err: unknown): boolean {
  return Boolean(find(err, (e) => e instanceof InsufficientFundsError || e instanceof ViemInsufficientFundsError))
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])

function hasNetworkCode(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && NETWORK_CODES.has(code)
}

function networkReason(err: unknown): string {
  const coded = find(err, hasNetworkCode) as { code: string } | undefined
  if (coded) return coded.code
  if (find(err, (e) => e instanceof ReceiptTimeoutError)) return 'no receipt in time'
  if (find(err, (e) => e instanceof TimeoutError)) return 'timed out'
  return 'connection failed'
}

function find(err: unknown, fn: (e: unknown) => boolean): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 12; e = (e as { cause?: unknown }).cause, depth++) if (fn(e)) return e
  return undefined
}

/** One line, no URL (an RPC URL may carry credentials). */
function oneLine(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').replace(/\s+/g, ' ').trim()
}
