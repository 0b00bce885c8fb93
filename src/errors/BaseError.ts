/**
 * The root of Gondola's error family. Every error the runtime throws extends it.
 *
 * Modelled on viem's BaseError: a `shortMessage` for one-line display, optional `details`
 * and `metaMessages`, the original `cause`, a literal `name`, and `walk()` over the cause chain.
 * The full `message` is built in a fixed order so tests can snapshot it.
 *
 * @example
 * ```ts
 * import { BaseError } from './BaseError.js'
 * class PolicyViolationError extends BaseError {
 *   override name = 'PolicyViolationError' as const
 * }
 * const err = new PolicyViolationError('Swap of 2 ETH exceeds the 0.5 ETH cap.', { details: 'Raise GONDOLA_POLICY_MAX_ETH_PER_SWAP.' })
 * err.shortMessage // 'Swap of 2 ETH exceeds the 0.5 ETH cap.'
 * ```
 */
import { ExitCode, type ExitCodeValue } from './exitCodes.js'

export type BaseErrorParameters = {
  /** Extra lines shown under the short message (what to do, the values involved). */
  metaMessages?: string[] | undefined
  /** A longer explanation, or the message of the cause when none is given. */
  details?: string | undefined
  /** The underlying error. */
  cause?: unknown
  /** A stable machine-readable code, e.g. `POLICY_MAX_PER_SWAP`. */
  code?: string | undefined
  /** The process exit code for this failure (see `exitCodes.ts`); a subclass may fix it instead. */
  exitCode?: ExitCodeValue | undefined
}

export class BaseError extends Error {
  override name: string = 'BaseError'
  readonly shortMessage: string
  readonly details: string
  readonly metaMessages: string[]
  readonly code: string | undefined
  /** Process exit code class (see `exitCodes.ts`): 1 unless the subclass or the thrower says otherwise. */
  exitCode: ExitCodeValue = ExitCode.error

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details = parameters.details ?? detailsOf(parameters.cause)
    const message = [
      shortMessage || 'An error occurred.',
      ...(parameters.metaMessages?.length ? ['', ...parameters.metaMessages] : []),
      ...(details && details !== shortMessage ? ['', `Details: ${details}`] : []),
    ].join('\n')
    super(message, parameters.cause !== undefined ? { cause: parameters.cause } : undefined)
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = parameters.metaMessages ?? []
    this.code = parameters.code
    if (parameters.exitCode !== undefined) this.exitCode = parameters.exitCode
  }

  /**
   * Walks the cause chain and returns the deepest error, or the first one for which `fn` is true.
   *
   * @example
   * ```ts
   * const root = err.walk()
   * const revert = err.walk((e) => e instanceof TransactionRevertedError)
   * ```
   */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walk(this, fn)
  }
}

function detailsOf(cause: unknown): string {
  if (cause instanceof BaseError) return cause.details || cause.shortMessage
  if (cause instanceof Error) return cause.message
  return ''
}

function walk(err: unknown, fn?: (err: unknown) => boolean): unknown {
  if (fn?.(err)) return err
  if (err && typeof err === 'object' && 'cause' in err && err.cause !== undefined) return walk(err.cause, fn)
  return fn ? null : err
}
