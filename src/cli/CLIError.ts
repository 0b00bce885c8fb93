import { BaseError } from '../errors/BaseError.js'

/** A user-facing CLI failure (bad flag, missing state). Caught once at the top and printed as one line. */
export class CLIError extends BaseError {
  override name = 'CLIError' as const
}
