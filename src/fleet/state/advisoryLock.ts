/**
 * A lock that holds across processes and machines: Postgres's session-level advisory lock, taken on a
 * connection of its own and held as long as that connection lives. When the holder releases it, exits, crashes
 * or is SIGKILLed, its connection closes and the server frees the lock at once — no lock file to find stale, no
 * pid to check. A machine that vanishes without closing its socket is noticed by TCP keepalive (enabled here)
 * and by the server's `tcp_keepalives_*` settings.
 *
 * Scope: the lock is only as good as the holder's connection. If Postgres restarts while a holder works, the
 * lock is gone; the holder sees `lost()` turn true and must stop before its next irreversible step.
 */
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { loadPg } from '../db/driver.js'
import { BaseError } from '../../errors/BaseError.js'
import { redactText } from '../../util/redact.js'
import type { LockHolder } from '../../wallet/errors.js'
import { DatabaseError } from '../db/errors.js'
import type { Database } from '../db/openDatabase.js'

/** A held advisory lock. */
export type AdvisoryLock = {
  /** What is locked, for messages (`postgres://***@host/db#<name>`). */
  readonly path: string
  /** True once the lock's connection broke: the lock may have been taken by another process since. */
  lost(): boolean
  /** Frees the lock (closes its connection). Never throws. */
  release(): Promise<void>
}

export type AcquireAdvisoryLockParameters = {
  db: Database
  /** The lock's name, e.g. `wallet:8453:0xabc…`; two processes using the same name exclude each other. */
  name: string
  /** How long to wait for a holder before giving up. */
  timeoutMs: number
}

/** Thrown after `timeoutMs` while another session still holds the lock. */
export class AdvisoryLockTimeoutError extends BaseError {
  override name = 'AdvisoryLockTimeoutError' as const
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    readonly timeoutMs: number,
  ) {
    super(
      `${lockPath} is held by ${holder ? `process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})` : 'another process'}; gave up after ${timeoutMs} ms.`,
      { code: 'LOCK_BUSY' },
    )
  }
}

/**
 * The 64-bit key of a lock name: the first 8 bytes of its SHA-256, as a signed bigint (what `pg_advisory_lock` takes).
 *
 * @example
 * ```ts
 * await db.query('SELECT pg_try_advisory_lock($1)', [advisoryKeyOf('wallet:8453:0xabc')])
 * ```
 */
export function advisoryKeyOf(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0)
}

/**
 * Waits for the named lock (server-side, with `lock_timeout`: waiters are queued by Postgres, no polling) and
 * records who holds it.
 *
 * @throws {AdvisoryLockTimeoutError} when another process holds it past `timeoutMs` (the message names it).
 * @throws {DatabaseError} when Postgres cannot be reached.
 *
 * @example
 * ```ts
 * const lock = await acquireAdvisoryLock({ db, name: 'wallet:8453:0xabc', timeoutMs: 30_000 })
 * try { await work() } finally { await lock.release() }
 * ```
 */
export async function acquireAdvisoryLock(parameters: AcquireAdvisoryLockParameters): Promise<AdvisoryLock> {
  const { db, name, timeoutMs } = parameters
  const path = `${db.displayUrl}#${name}`
  const key = advisoryKeyOf(name)
  const client = new (await loadPg()).Client({
    connectionString: db.pool.options.connectionString,
    keepAlive: true,
    application_name: 'gondola-lock',
    connectionTimeoutMillis: 10_000,
  })
  let lost = false
  client.on('error', () => {
    lost = true
  })
  client.on('end', () => {
    lost = true
  })
  const fail = (err: unknown, what: string): DatabaseError =>
    new DatabaseError(`${what} on ${db.displayUrl} failed.`, {
      details: redactText(err instanceof Error ? err.message : String(err)),
      metaMessages: ['Check GONDOLA_DATABASE_URL and that Postgres is running.'],
    })
  try {
    await client.connect()
  } catch (err) {
    throw fail(err, `Connecting for the lock ${name}`)
  }
  try {
    // Numbers only are inlined (the key is a bigint, the timeout an integer): one round trip for both statements.
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}; SELECT pg_advisory_lock(${key})`)
  } catch (err) {
    await client.end().catch(() => {})
    if ((err as { code?: string }).code === '55P03') throw new AdvisoryLockTimeoutError(path, await holderOf(db, name), timeoutMs)
    throw fail(err, `Taking the lock ${name}`)
  }
  const me: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() }
  await client
    .query(
      'INSERT INTO gondola.lock_holders (name, pid, hostname, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET pid = EXCLUDED.pid, hostname = EXCLUDED.hostname, started_at = EXCLUDED.started_at',
      [name, me.pid, me.hostname, me.startedAt],
    )
    .catch(() => {}) // informational only
  let released = false
  return {
    path,
    lost: () => lost && !released,
    async release() {
      if (released) return
      released = true
      // Closing the session frees the lock even if the unlock statement cannot be sent.
      await client.query(`SELECT pg_advisory_unlock(${key})`).catch(() => {})
      await client.end().catch(() => {})
    },
  }
}

async function holderOf(db: Database, name: string): Promise<LockHolder | undefined> {
  const rows = await db
    .query<{ pid: number; hostname: string; started_at: Date }>('SELECT pid, hostname, started_at FROM gondola.lock_holders WHERE name = $1', [name])
    .catch(() => [])
  const r = rows[0]
  return r ? { pid: r.pid, hostname: r.hostname, startedAt: r.started_at.toISOString() } : undefined
}
