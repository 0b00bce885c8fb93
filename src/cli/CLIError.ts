import { BaseError } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'

/** A user-facing CLI failure (bad flag, missing state). Caught once at the top and printed as one line. */
export class CLIError extends BaseError {
  override name = 'CLIError' as const
  override exitCode: ExitCodeValue = ExitCode.usage
}
