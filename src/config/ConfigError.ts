import { BaseError } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'

/** A configuration value is missing or invalid. The message names the variable and what to fix. */
export class ConfigError extends BaseError {
  override name = 'ConfigError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}
