import { BaseError, type BaseErrorParameters } from '../../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../../errors/exitCodes.js'
import { findCause, isNetworkFailure, NETWORK_ERROR_CODES } from '../../errors/networkError.js'

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

/**
 * SQLSTATEs of a server that is not there for now: class 08 (connection exceptions) and 57P01–57P03 (shut down by
 * the administrator, crashed, not yet accepting connections while it starts or recovers).
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03'])

/**
 * The `pg` driver's own messages for a lost or refused connection (it gives these no code), and the network codes
 * as they appear in a message that lost its code on the way (a `DatabaseError` built from text).
 */
const DRIVER_CONNECTION_MESSAGES = new RegExp(
  `${[...NETWORK_ERROR_CODES].join('|')}|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|terminating connection`,
  'i',
)

/**
 * Whether `err` means Postgres is unreachable for now (restarting, or the connection was cut), so the same
 * statement is worth sending again — as opposed to an error a retry would repeat. The network part is the one
 * classifier of `src/errors/networkError.ts`; this adds what only Postgres says: SQLSTATE class 08 and 57P0x,
 * and the driver's code-less connection messages (also as a `DatabaseError`'s redacted details).
 *
 * @example
 * ```ts
 * isDatabaseUnreachable(Object.assign(new Error('the database system is starting up'), { code: '57P03' })) // true
 * isDatabaseUnreachable(Object.assign(new Error('duplicate key value'), { code: '23505' }))              // false
 * ```
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  return (
    findCause(err, (e) => {
      if (isNetworkFailure(e)) return true
      const { code, message, details } = e as { code?: unknown; message?: unknown; details?: unknown }
      if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true
      return DRIVER_CONNECTION_MESSAGES.test(`${String(message ?? '')} ${String(details ?? '')}`)
    }) !== undefined
  )
}
