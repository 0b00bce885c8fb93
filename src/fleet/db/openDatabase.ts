import type pg from 'pg'
import { loadPg, loadedPg } from './driver.js'
import { BaseError } from '../../errors/BaseError.js'
import { redactText, redactUrl, registerUrlSecrets } from '../../util/redact.js'
import { DatabaseError } from './errors.js'

/** A parameter of a SQL statement. */
export type SqlValue = string | number | bigint | boolean | Date | Buffer | null | readonly unknown[] | Record<string, unknown>

/** What a query runs on: the pool, or one connection inside `transaction`. */
export type Queryable = {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: readonly SqlValue[]): Promise<Row[]>
}

/** A Postgres connection pool with the few operations Gondola's state adapters need. */
export type Database = Queryable & {
  /** The URL with its credentials removed, for messages. */
  readonly displayUrl: string
  /**
   * Runs `fn` in one transaction on one connection (BEGIN … COMMIT, ROLLBACK on a throw). Use
   * `SELECT … FOR UPDATE` or `pg_advisory_xact_lock` inside it for read-modify-write.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /** Statements sent to the server since the pool was opened (BEGIN/COMMIT count): the bench's round trips. */
  roundTrips(): number
  /** The underlying `pg` pool, for libraries that take one (pg-boss takes a `db` adapter). */
  readonly pool: pg.Pool
  close(): Promise<void>
}

export type OpenDatabaseParameters = {
  /** `postgres://user:password@host:port/database` (`GONDOLA_DATABASE_URL`). */
  url: string
  /** Connections in the pool (default 5: a worker runs many agents, but each step needs one only briefly). */
  max?: number | undefined
  /** Shown in `pg_stat_activity` (default `gondola`). */
  applicationName?: string | undefined
  /** Let the process exit while every connection is idle (one-shot CLI commands). Default false (workers). */
  allowExitOnIdle?: boolean | undefined
}

/**
 * Opens a pool on `url` and checks it answers. Credentials never appear in errors: the URL is shown redacted
 * and registered so that the driver's messages are scrubbed too.
 *
 * @throws {DatabaseError} if the server cannot be reached or refuses the login.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ url: process.env.GONDOLA_DATABASE_URL! })
 * const [row] = await db.query<{ now: Date }>('select now()')
 * await db.close()
 * ```
 */
export async function openDatabase(parameters: OpenDatabaseParameters): Promise<Database> {
  const { url } = parameters
  registerUrlSecrets(withoutUser(url))
  const displayUrl = redactUrl(url)
  const pool = new (await loadPg()).Pool({
    connectionString: url,
    max: parameters.max ?? 5,
    application_name: parameters.applicationName ?? 'gondola',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: parameters.allowExitOnIdle ?? false,
  })
  // An idle client losing its server (Postgres restarted) emits here; without a listener Node would crash.
  // The pool drops that client and the next query opens a new connection.
  pool.on('error', () => {})
  let trips = 0
  const wrap = (err: unknown, what: string): DatabaseError =>
    err instanceof DatabaseError
      ? err
      : new DatabaseError(`${what} failed on ${displayUrl}.`, {
          details: redactText(err instanceof Error ? err.message : String(err)),
          // The driver's SQLSTATE or socket code (not its message): what `isDatabaseUnreachable` classifies.
          code: typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined,
          metaMessages: ['Check GONDOLA_DATABASE_URL and that Postgres is running.'],
        })
  const run = async <Row extends Record<string, unknown>>(client: pg.Pool | pg.PoolClient, text: string, values?: readonly SqlValue[]): Promise<Row[]> => {
    trips++
    const result = await client.query<Row>(text, values as unknown[] | undefined)
    return result.rows
  }
  const db: Database = {
    displayUrl,
    pool,
    roundTrips: () => trips,
    async query(text, values) {
      try {
        return await run(pool, text, values)
      } catch (err) {
        throw wrap(err, 'A query')
      }
    },
    async transaction(fn) {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (err) {
        throw wrap(err, 'Connecting')
      }
      const tx: Queryable = { query: (text, values) => run(client, text, values) }
      try {
        await run(client, 'BEGIN')
        const out = await fn(tx)
        await run(client, 'COMMIT')
        client.release()
        return out
      } catch (err) {
        // A broken connection cannot roll back; release it destroyed so the pool does not hand it out again.
        const rolledBack = await run(client, 'ROLLBACK').then(
          () => true,
          () => false,
        )
        client.release(rolledBack ? undefined : true)
        if (isDriverError(err)) throw wrap(err, 'A transaction')
        throw err
      }
    },
    close: () => pool.end(),
  }
  await run(pool, 'select 1').catch((err: unknown) => {
    void pool.end()
    throw wrap(err, 'Connecting')
  })
  return db
}

/** Errors from `pg` or the socket, as opposed to an error the caller's own code threw inside a transaction. */
function isDriverError(err: unknown): boolean {
  if (err instanceof BaseError || !(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  const DatabaseError = loadedPg()?.DatabaseError
  return (DatabaseError !== undefined && err instanceof DatabaseError) || (typeof code === 'string' && /^E[A-Z]+$/.test(code))
}

/**
 * The URL without its user name, for registering secrets: the password is one, but a user name such as
 * `postgres` is a common word that would be blanked out of every message.
 */
function withoutUser(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    return u.toString()
  } catch {
    return url
  }
}
