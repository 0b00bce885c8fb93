import type { Env } from '../config/env.js'
import { openDatabase, type Database } from '../fleet/db/openDatabase.js'
import { migrate } from '../fleet/db/migrate.js'
import { openFleetJobs, type FleetJobs } from '../fleet/jobs/openFleetJobs.js'
import { CLIConfigError } from './CLIError.js'

/**
 * The fleet as configured: Postgres at GONDOLA_DATABASE_URL (migrated), and its job engine. Fleet commands need
 * the variable; without it they stop with a configuration error (exit 3) saying what to set.
 *
 * @example
 * ```ts
 * const { db, jobs } = await openFleetFromEnv(readEnv(), { command: 'gondola worker' })
 * ```
 */
export async function openFleetFromEnv(
  env: Env,
  o: { command: string; supervise?: boolean | undefined; onError?: ((message: string) => void) | undefined; max?: number | undefined },
): Promise<{ db: Database; jobs: FleetJobs; close: () => Promise<void> }> {
  if (!env.GONDOLA_DATABASE_URL)
    throw new CLIConfigError(`${o.command} needs GONDOLA_DATABASE_URL (fleet mode: runs go through a Postgres job queue).`, {
      metaMessages: ['Set GONDOLA_DATABASE_URL=postgres://user:password@host:5432/gondola (see README "Fleet mode"), or run without the fleet flags.'],
      code: 'CLI_NO_DATABASE',
    })
  const db = await openDatabase({ url: env.GONDOLA_DATABASE_URL, max: o.max, applicationName: o.command.replace(/^gondola /, 'gondola-') })
  try {
    await migrate(db)
    const jobs = await openFleetJobs(db, {
      runTimeoutSeconds: env.GONDOLA_FLEET_RUN_TIMEOUT_SECONDS,
      runRetries: env.GONDOLA_FLEET_RUN_RETRIES,
      supervise: o.supervise,
      onError: o.onError,
    })
    return { db, jobs, close: async () => void (await jobs.stop({ graceful: false, timeoutMs: 1000 }).catch(() => {}), await db.close().catch(() => {})) }
  } catch (err) {
    await db.close().catch(() => {})
    throw err
  }
}
