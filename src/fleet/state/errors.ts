import { BaseError } from '../../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../../errors/exitCodes.js'

/** A fleet store was configured inconsistently (e.g. a secret needed to seal a key in Postgres is missing). */
export class FleetStateConfigError extends BaseError {
  override name = 'FleetStateConfigError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}
