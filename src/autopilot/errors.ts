import { BaseError } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'

/** A pass could not bring the allowance to its target: capital or the spend policy's room ran out. Exit code 6. */
export class AutopilotShortError extends BaseError {
  override name = 'AutopilotShortError' as const
  override exitCode: ExitCodeValue = ExitCode.funds
}

/** The autopilot's state file is unreadable. Exit code 3. */
export class AutopilotStateError extends BaseError {
  override name = 'AutopilotStateError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}

/** A bad target or option (negative, not a number). Exit code 2. */
export class AutopilotInputError extends BaseError {
  override name = 'AutopilotInputError' as const
  override exitCode: ExitCodeValue = ExitCode.usage
}
