import { BaseError } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'

/** A usage failure (bad flag, missing argument): exit 2. Caught once at the top and printed as one line. */
export class CLIError extends BaseError {
  override name: string = 'CLIError'
  override exitCode: ExitCodeValue = ExitCode.usage
}

/**
 * The command line was fine but the setup is not: no password available, wrong network, missing state. Exit 3
 * (configuration), so scripts can tell "fix the environment" from "fix the command".
 */
export class CLIConfigError extends CLIError {
  override name = 'CLIConfigError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}
