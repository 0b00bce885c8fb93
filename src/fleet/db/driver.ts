/**
 * The Postgres driver and job queue, loaded when fleet mode opens a database: `pg` and `pg-boss` are optional
 * peer dependencies, installed only by those who run a fleet (a missing one fails naming the package).
 */
import type pgModule from 'pg'
import type PgBossModule from 'pg-boss'
import { importOptional } from '../../util/optionalDependency.js'

const FEATURE = 'Fleet mode (GONDOLA_DATABASE_URL)'
let pg: typeof pgModule | undefined

/**
 * The `pg` module, loaded on first use.
 *
 * @throws {MissingDependencyError} when `pg` is not installed.
 *
 * @example
 * ```ts
 * const pg = await loadPg()
 * const client = new pg.Client({ connectionString: url })
 * ```
 */
export async function loadPg(): Promise<typeof pgModule> {
  pg ??= (await importOptional<{ default: typeof pgModule }>('pg', FEATURE)).default
  return pg
}

/** The `pg` module if a database was opened in this process (for `instanceof` checks on its errors). */
export function loadedPg(): typeof pgModule | undefined {
  return pg
}

/**
 * The `pg-boss` class, loaded on first use.
 *
 * @throws {MissingDependencyError} when `pg-boss` is not installed.
 *
 * @example
 * ```ts
 * const PgBoss = await loadPgBoss()
 * ```
 */
export async function loadPgBoss(): Promise<typeof PgBossModule> {
  return (await importOptional<{ default: typeof PgBossModule }>('pg-boss', FEATURE)).default
}
