/**
 * `gondola/errors`: the one error family (`BaseError`) and the documented exit classes. The devnet package's
 * errors extend the same `BaseError`, so the CLI maps them to exit codes like its own.
 *
 * @example
 * ```ts
 * import { BaseError, ExitCode } from 'gondola/errors'
 * class MyError extends BaseError {
 *   override name = 'MyError' as const
 *   override exitCode = ExitCode.config
 * }
 * ```
 */
export { BaseError, type BaseErrorParameters } from './BaseError.js'
export { ExitCode, type ExitCodeValue } from './exitCodes.js'
