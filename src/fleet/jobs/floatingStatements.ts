/**
 * pg-boss 10 answers a job from its worker loop without awaiting the answer: `manager.js` (10.4.2, the last 10.x;
 * 11 and later need Node 22) calls `this.complete(...)` and `this.fail(...)` and drops their promises. A Postgres
 * restart at that moment ("57P03 not yet accepting connections", ECONNREFUSED) is then an unhandled rejection
 * and Node ends the worker with exit 1. No pg-boss 10 option changes that, so the answer is guarded where every
 * pg-boss statement passes anyway: the `db.executeSql` adapter Gondola gives it. The two statements are
 * recognised by their exact text (pg-boss's own `plans.completeJobs` / `plans.failJobsById`), retried while the
 * database is unreachable, and never reject: a last failure is reported (redacted) and the job is left to
 * pg-boss's expiry, which fails and retries it. The stop sequence waits for them (`settled`) before the pool closes.
 */
import { requireOptional } from '../../util/optionalDependency.js'
import { BaseError } from '../../errors/BaseError.js'
import { redactText } from '../../util/redact.js'
import { whileDatabaseDown } from './registry.js'

type Plans = { completeJobs(schema: string): string; failJobsById(schema: string): string }
// pg-boss has no `exports` map: its statement builders are a plain CommonJS module of the installed version. Loaded
// when fleet jobs open, not with this module: pg-boss is an optional peer, and `gondola --help` loads every command.
const pgBossPlans = () => requireOptional<Plans>('pg-boss/src/plans.js', 'Fleet mode (GONDOLA_DATABASE_URL)')

/**
 * The failure of a run attempt whose lease ended (pg-boss expired it and may have handed the run to another
 * attempt): its answer must not touch the job. pg-boss 10 completes and fails by job id alone, so a stale
 * attempt's answer would end the next attempt's job; the adapter drops an answer carrying `staleAttempt`
 * (`isStaleAnswer`). Thrown by the agent worker's handler.
 */
export class StaleAttemptError extends BaseError {
  override name = 'StaleAttemptError' as const
  /** Copied into the job answer pg-boss builds (serialize-error keeps own properties): the adapter's marker. */
  readonly staleAttempt = true
}

/**
 * Whether a job answer (the values of pg-boss's complete or fail statement: name, ids, output) is a stale attempt's.
 *
 * @example
 * ```ts
 * isStaleAnswer(['gondola-runs', [id], { name: 'StaleAttemptError', staleAttempt: true }]) // true
 * ```
 */
export function isStaleAnswer(values: readonly unknown[] | undefined): boolean {
  const output = values?.[2]
  const parsed = typeof output === 'string' ? safeJson(output) : output
  return (parsed as { staleAttempt?: unknown } | null | undefined)?.staleAttempt === true
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export type FloatingStatements = {
  /** True for the statements pg-boss sends without awaiting them (a job's completion or failure by id). */
  isFloating(text: string): boolean
  /** True for pg-boss's completion by id (`plans.completeJobs`). */
  isCompletion(text: string): boolean
  /** Runs one: retried while Postgres is down (up to `retryForMs`), then resolved as "0 rows changed" on failure. */
  run<T>(fn: () => Promise<T>): Promise<T | { rows: Array<{ count: string }> }>
  /** Resolves when every such statement in flight has ended. */
  settled(): Promise<void>
  /** How many are in flight. */
  pending(): number
}

/**
 * @example
 * ```ts
 * const floating = floatingStatements({ schema: 'pgboss', retryForMs: 60_000, onError: (m) => log.warn(m) })
 * const executeSql = (text, values) => floating.isFloating(text) ? floating.run(() => pool.query(text, values)) : pool.query(text, values)
 * ```
 */
export function floatingStatements(o: { schema: string; retryForMs: number; onError?: ((message: string) => void) | undefined }): FloatingStatements {
  const plans = pgBossPlans()
  const completion = plans.completeJobs(o.schema)
  const texts = new Set([completion, plans.failJobsById(o.schema)])
  const inFlight = new Set<Promise<unknown>>()
  return {
    isFloating: (text) => texts.has(text),
    isCompletion: (text) => text === completion,
    run(fn) {
      const p = whileDatabaseDown(fn, o.retryForMs).catch((err: unknown) => {
        o.onError?.(`a job's answer was not recorded (pg-boss retries it after its expiry): ${redactText(err instanceof Error ? err.message : String(err))}`)
        return { rows: [{ count: '0' }] }
      })
      inFlight.add(p)
      void p.finally(() => inFlight.delete(p))
      return p
    },
    async settled() {
      while (inFlight.size) await Promise.allSettled([...inFlight])
    },
    pending: () => inFlight.size,
  }
}
