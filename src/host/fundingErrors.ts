/**
 * How a top-up that did not happen is reported: a refusal by the funding window (a policy decision, exit 4),
 * or a failure (the RPC unreachable → exit 5, not enough ETH → exit 6, anything else → 1), always as ONE short
 * line with no URL: it goes to the model, into the run result and onto the terminal.
 */
import { BaseError as ViemBaseError, InsufficientFundsError as ViemInsufficientFundsError, TimeoutError } from 'viem'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { InsufficientFundsError, ReceiptTimeoutError } from '../wallet/errors.js'
import { findCause, hasNetworkCode, isNetworkError } from '../errors/networkError.js'

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
  // A receipt that never came is the RPC's silence too, not an answer from the chain.
  if (isNetworkError(err) || findCause(err, (e) => e instanceof ReceiptTimeoutError)) {
    return new FundingFailedError(`Top-up failed: the chain RPC could not be reached (${networkReason(err)}). ${after}`, {
      cause: err,
      exitCode: ExitCode.network,
      code: 'FUNDING_NETWORK',
      details: '',
    })
  }
  if (isFundsError(err)) {
    const reason = err instanceof BaseError ? oneLine(err.shortMessage) : 'the node reports insufficient funds for value + gas'
    return new FundingFailedError(`Top-up failed: not enough ETH — ${reason}`, { cause: err, exitCode: ExitCode.funds, code: 'FUNDING_FUNDS', details: '' })
  }
  const reason = err instanceof BaseError || err instanceof ViemBaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)
  return new FundingFailedError(`Top-up failed: ${oneLine(reason)} ${after}`, {
    cause: err,
    code: 'FUNDING_FAILED',
    details: '',
    ...(err instanceof BaseError ? { exitCode: err.exitCode } : {}),
  } satisfies BaseErrorParameters)
}

function isFundsError(err: unknown): boolean {
  return Boolean(findCause(err, (e) => e instanceof InsufficientFundsError || e instanceof ViemInsufficientFundsError))
}

function networkReason(err: unknown): string {
  const coded = findCause(err, hasNetworkCode) as { code: string } | undefined
  if (coded) return coded.code
  if (findCause(err, (e) => e instanceof ReceiptTimeoutError)) return 'no receipt in time'
  if (findCause(err, (e) => e instanceof TimeoutError)) return 'timed out'
  return 'connection failed'
}

/** One line, no URL (an RPC URL may carry credentials). */
function oneLine(text: string): string {
  return text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/\s+/g, ' ')
    .trim()
}
