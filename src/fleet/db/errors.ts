import { BaseError, type BaseErrorParameters } from '../../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../../errors/exitCodes.js'

/**
 * Postgres could not be reached or refused a statement. The message names `GONDOLA_DATABASE_URL` with its
 * credentials removed; the driver's own text is redacted before it is attached.
 */
export class DatabaseError extends BaseError {
  override name = 'DatabaseError' as const
  override exitCode: ExitCodeValue = ExitCode.network
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, parameters)
  }
}

/** The schema in the database is newer than this version of Gondola knows: refuse rather than guess. */
export class SchemaTooNewError extends BaseError {
  override name = 'SchemaTooNewError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}
