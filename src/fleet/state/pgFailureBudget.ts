/**
 * The account's failure budget in Postgres (the `FailureBudget` port of src/agent/failureBudget.ts): every
 * worker's failures and requests in flight in one row per account, so the fleet as a whole stays below Venice's
 * breaker (more than 20 failures in 30 s blocks every key of the account for 30 s). One round trip per call;
 * a limiter from `createPgRateLimiter` on the same account admits through it inside its own round trip.
 */
import type { FailureBudget, FailureBudgetOptions } from '../../agent/failureBudget.js'
import type { Database } from '../db/openDatabase.js'

/** A failure budget backed by Postgres; `shared` tells a Postgres limiter it can admit within its own statement. */
export type PgFailureBudget = FailureBudget & {
  readonly shared: { db: Database; account: string; maxFailures: number; windowMs: number }
  /** Failures of the account inside the window, across the fleet. */
  recent(now: number): Promise<number>
}

/**
 * @example
 * ```ts
 * const budget = createPgFailureBudget(db, wallet.address)
 * createRunner({ baseURL, keys, failureBudget: budget, createLimiter: pgLimiterFactory(db, { failureBudget: budget }) })
 * ```
 */
export function createPgFailureBudget(db: Database, account: string, options: FailureBudgetOptions = {}): PgFailureBudget {
  const id = account.toLowerCase()
  const maxFailures = options.maxFailures ?? 15
  const windowMs = options.windowMs ?? 30_000
  const margin = options.marginMs ?? 25
  const poll = options.pollMs ?? 100
  // Admission times of this process's requests in flight, oldest first: settle removes one of them.
  const admitted: number[] = []
  return {
    shared: { db, account: id, maxFailures, windowMs },
    async admit(now) {
      const [row] = await db.query<{ wait: string }>('SELECT gondola.budget_admit($1, $2, $3, $4, $5, $6) AS wait', [
        id,
        Math.floor(now),
        maxFailures,
        windowMs,
        margin,
        poll,
      ])
      const wait = Number(row!.wait)
      if (wait === 0) admitted.push(Math.floor(now))
      return wait
    },
    async settle(at, failed) {
      const admittedAt = admitted.shift() ?? 0
      await db.query('SELECT gondola.budget_settle($1, $2, $3, $4)', [id, admittedAt, Math.floor(at), failed])
    },
    async record(at) {
      await db.query('SELECT gondola.budget_record($1, $2)', [id, Math.floor(at)])
    },
    async recent(now) {
      const [row] = await db.query<{ n: number }>(
        'SELECT coalesce((SELECT count(*)::int FROM unnest(failures) x WHERE x > $2), 0) AS n FROM gondola.failure_budgets WHERE account = $1',
        [id, Math.floor(now) - windowMs],
      )
      return row?.n ?? 0
    },
  }
}
