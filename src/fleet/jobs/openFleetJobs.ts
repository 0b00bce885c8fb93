import type PgBoss from 'pg-boss'
import { loadPgBoss } from '../db/driver.js'
import type { TopUpResult } from '../../agent/funding.js'
import type { RateLimits } from '../../venice/schemas.js'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { redactText } from '../../util/redact.js'
import type { Database } from '../db/openDatabase.js'
import { floatingStatements, isStaleAnswer } from './floatingStatements.js'
import { whileDatabaseDown } from './registry.js'
import {
  RUN_QUEUE,
  SCHEDULE_QUEUE_PREFIX,
  everyToCron,
  topUpQueueOf,
  runJobSchema,
  scheduleQueueOf,
  topUpJobSchema,
  topUpResultSchema,
  type RunJob,
  type TopUpJob,
} from './queues.js'
import { sleep } from '../../util/sleep.js'

/** Any fixed 64-bit number: the advisory lock around pg-boss's schema install ("gondolaboss"). */
const PGBOSS_INSTALL_LOCK = String(0x676f6e646f6c62n)

/** A queued job could not be submitted, scheduled or answered. */
export class FleetJobError extends BaseError {
  override name = 'FleetJobError' as const
}

export type FleetJobsOptions = {
  /** A run active longer than this (its worker died) is failed by pg-boss and retried elsewhere. */
  runTimeoutSeconds: number
  /** Retries of a failed or expired run (with exponential backoff from `retryDelaySeconds`). */
  runRetries: number
  retryDelaySeconds?: number | undefined
  /** How often pg-boss expires stuck jobs (default: a quarter of the run timeout, 1–60 s). */
  maintenanceIntervalSeconds?: number | undefined
  /** Told about pg-boss's background errors (a lost connection while Postgres restarts); redacted. */
  onError?: ((message: string) => void) | undefined
  /** Run pg-boss's cron and maintenance here (workers: yes; a one-shot `run --queue`: no). */
  supervise?: boolean | undefined
}

/** Counts of one queue by state. */
export type QueueCounts = { queue: string; created: number; retry: number; active: number; completed: number; failed: number; cancelled: number }

/**
 * The fleet's job engine: pg-boss v10 on the fleet's Postgres (its own `pgboss` schema), on the same connection
 * pool as Gondola's state so one process opens one pool. Chosen over graphile-worker because it has what the
 * fleet needs built in: per-key singleton queues (one active top-up per wallet across machines), cron schedules
 * stored in Postgres, retries with backoff, and expiry of jobs whose worker vanished — in plain JS with no
 * compile step or extra CLI.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ url })
 * const jobs = await openFleetJobs(db, { runTimeoutSeconds: 900, runRetries: 2 })
 * const id = await jobs.submitRun({ agent: 'treasurer' })
 * await jobs.stop()
 * ```
 */
export async function openFleetJobs(db: Database, options: FleetJobsOptions) {
  let trips = 0
  const supervise = options.supervise ?? true
  // A job's completion or failure, which pg-boss 10 sends without awaiting it: retried and never rejected.
  const floating = floatingStatements({ schema: 'pgboss', retryForMs: options.runTimeoutSeconds * 1000, onError: options.onError })
  // Jobs a worker completed in its run's end record (`recordRunEnd` with `complete`): pg-boss's own completion of them
  // would change nothing (the job is no longer active), so it is not sent.
  const completedInRecord = new Set<string>()
  const boss = new (await loadPgBoss())({
    // pg-boss on Gondola's pool; its statements count in the bench's round trips.
    db: {
      executeSql: async (text: string, values: unknown[]) => {
        const floats = floating.isFloating(text)
        // A stale attempt's answer is dropped: the job is no longer its own (pg-boss answers by job id alone).
        if (floats && isStaleAnswer(values)) return { rows: [{ count: '0' }] }
        if (floating.isCompletion(text) && alreadyCompleted(values)) return { rows: [{ count: String((values[1] as unknown[]).length) }] }
        trips++
        return floats ? floating.run(() => db.pool.query(text, values)) : db.pool.query(text, values)
      },
    },
    supervise,
    schedule: supervise,
    migrate: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? Math.min(60, Math.max(1, Math.floor(options.runTimeoutSeconds / 4))),
    cronWorkerIntervalSeconds: 5,
  })
  const alreadyCompleted = (values: readonly unknown[]): boolean => {
    const ids = values[1]
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => completedInRecord.has(String(id)))) return false
    for (const id of ids) completedInRecord.delete(String(id))
    return true
  }
  boss.on('error', (err: Error) => options.onError?.(redactText(err.message)))
  try {
    // Two workers starting together on a fresh database would both create pg-boss's schema (CREATE SCHEMA
    // races on the catalog): its install is serialised under an advisory lock held on a connection of its own.
    const client = await db.pool.connect()
    try {
      await client.query('SELECT pg_advisory_lock($1)', [PGBOSS_INSTALL_LOCK])
      await boss.start()
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PGBOSS_INSTALL_LOCK]).catch(() => {})
      client.release()
    }
  } catch (err) {
    throw new FleetJobError(`The job engine (pg-boss) did not start on ${db.displayUrl}.`, {
      details: redactText(err instanceof Error ? err.message : String(err)),
      exitCode: ExitCode.network,
    })
  }
  const retry = { retryLimit: options.runRetries, retryDelay: options.retryDelaySeconds ?? 2, retryBackoff: true }
  await ensureQueue(boss, { name: RUN_QUEUE, policy: 'standard', ...retry, expireInSeconds: options.runTimeoutSeconds })
  const known = new Set<string>()
  /** A wallet's top-up queue: at most one active (singleton), retried if a treasury dies mid-way (the next resumes it from the wallet journal with the job's idempotency key). */
  const topUpQueue = async (wallet: string): Promise<string> => {
    const name = topUpQueueOf(wallet)
    if (!known.has(name))
      await ensureQueue(boss, {
        name,
        policy: 'singleton',
        retryLimit: 3,
        retryDelay: 2,
        retryBackoff: true,
        expireInSeconds: Math.max(60, Math.min(600, options.runTimeoutSeconds)),
      })
    known.add(name)
    return name
  }

  return {
    boss,
    /** Statements pg-boss sent (the state's own are `db.roundTrips()`). */
    roundTrips: () => trips,

    topUpQueue,

    /** Says that run job `id` was completed with its end record: pg-boss's completion of it is then not sent. */
    completedInRecord: (id: string): void => void completedInRecord.add(id),

    /** Queues an agent run; returns its job id. */
    async submitRun(job: RunJob): Promise<string> {
      const data = runJobSchema.parse(job)
      const id = await boss.send(RUN_QUEUE, data, retry)
      if (!id) throw new FleetJobError(`The run of "${data.agent}" was not queued.`)
      return id
    },

    /**
     * Schedules an agent: a cron expression, or `everySeconds` turned into one. Replaces the agent's previous schedule.
     *
     * @throws {FleetJobError} (usage) when the interval has no cron equivalent.
     */
    async scheduleRun(job: RunJob, when: { cron: string; timezone?: string | undefined } | { everySeconds: number }): Promise<{ queue: string; cron: string }> {
      const data = runJobSchema.parse(job)
      const cron = 'cron' in when ? when.cron : everyToCron(when.everySeconds)
      if (!cron)
        throw new FleetJobError(
          `--every ${'everySeconds' in when ? when.everySeconds : ''} has no cron equivalent: queued schedules are cron (minute granularity).`,
          {
            metaMessages: ['Use a whole number of minutes dividing an hour (60, 300, 900, 1800…) or of hours dividing a day (3600, 7200…), or --cron.'],
            exitCode: ExitCode.usage,
          },
        )
      const queue = scheduleQueueOf(data.agent)
      await ensureQueue(boss, { name: queue, policy: 'short' })
      try {
        await boss.schedule(queue, cron, data, { tz: 'cron' in when ? (when.timezone ?? 'UTC') : 'UTC' })
      } catch (err) {
        throw new FleetJobError(`The schedule "${cron}" was refused.`, { details: err instanceof Error ? err.message : String(err), exitCode: ExitCode.usage })
      }
      return { queue, cron }
    },

    /** The schedules stored in Postgres (one per scheduled agent). */
    async schedules(): Promise<Array<{ queue: string; cron: string; agent: string }>> {
      return (await boss.getSchedules())
        .filter((s) => s.name.startsWith(SCHEDULE_QUEUE_PREFIX))
        .map((s) => ({ queue: s.name, cron: s.cron, agent: String((s.data as { agent?: unknown } | undefined)?.agent ?? '') }))
    },

    /**
     * Asks the treasury for a top-up and waits for its answer (the job's output). A treasury that does not answer
     * within `timeoutMs` is a refusal in words: the agent keeps running on what it has.
     */
    async requestTopUp(job: TopUpJob, o: { timeoutMs: number; pollMs?: number | undefined; signal?: AbortSignal | undefined }): Promise<TopUpResult> {
      const data = topUpJobSchema.parse(job)
      // One queue per wallet with one singleton key: pg-boss activates one top-up per wallet at a time, across machines.
      // Postgres restarting is waited out (up to the caller's timeout) rather than failing the agent's funding.
      const queue = await whileDatabaseDown(() => topUpQueue(data.wallet), o.timeoutMs)
      const id = await whileDatabaseDown(() => boss.send(queue, data, { singletonKey: 'wallet' }), o.timeoutMs)
      if (!id) throw new FleetJobError('The top-up request was not queued.')
      const deadline = Date.now() + o.timeoutMs
      while (Date.now() < deadline && !o.signal?.aborted) {
        await sleep(o.pollMs ?? 250)
        const j = await boss.getJobById(queue, id).catch(() => null)
        if (!j) continue
        if (j.state === 'completed') {
          const parsed = topUpResultSchema.safeParse(j.output)
          if (!parsed.success) return { ok: false, refusal: 'The treasury answered something unreadable.' }
          if (!parsed.data.ok) return parsed.data
          const { rateLimits: _, ...result } = parsed.data
          return result
        }
        if (j.state === 'failed' || j.state === 'cancelled') {
          const message = (j.output as { message?: unknown } | null)?.message
          return { ok: false, refusal: `The treasury failed the top-up: ${typeof message === 'string' ? redactText(message.split('\n')[0]!) : j.state}.` }
        }
      }
      return {
        ok: false,
        refusal: `No treasury answered within ${Math.round(o.timeoutMs / 1000)} s (is \`gondola worker --treasury\` running?). The request stays queued.`,
      }
    },

    /**
     * The account's balances and limits from the treasury's latest top-up answer (read with its ADMIN key): what an
     * agent worker's balance refresh uses, since its INFERENCE keys may not call `/api_keys/rate_limits`.
     *
     * @throws {FleetJobError} when no treasury has answered a top-up yet (balances then come from response headers).
     */
    async latestRateLimits(wallet: string): Promise<RateLimits> {
      const [row] = await db.query<{ output: unknown }>(
        "SELECT output FROM pgboss.job WHERE name = $1 AND state = 'completed' AND output ? 'rateLimits' ORDER BY completed_on DESC LIMIT 1",
        [topUpQueueOf(wallet)],
      )
      const parsed = topUpResultSchema.safeParse(row?.output)
      if (parsed.success && parsed.data.ok && parsed.data.rateLimits) return parsed.data.rateLimits
      throw new FleetJobError('No treasury has reported the balances yet; they come from response headers until its first top-up answer.')
    },

    /** Counts per queue and state (pg-boss's job table). */
    async queueCounts(): Promise<QueueCounts[]> {
      const rows = await db.query<{ name: string; state: string; n: string }>(
        'SELECT name, state::text AS state, count(*)::text AS n FROM pgboss.job GROUP BY name, state',
      )
      const byQueue = new Map<string, QueueCounts>()
      for (const name of [RUN_QUEUE]) byQueue.set(name, { queue: name, created: 0, retry: 0, active: 0, completed: 0, failed: 0, cancelled: 0 })
      for (const r of rows) {
        const q = byQueue.get(r.name) ?? { queue: r.name, created: 0, retry: 0, active: 0, completed: 0, failed: 0, cancelled: 0 }
        if (r.state in q) (q as Record<string, number | string>)[r.state] = Number(r.n)
        byQueue.set(r.name, q)
      }
      return [...byQueue.values()]
    },

    /** Resolves once every job answer (completion or failure) pg-boss sent has been recorded or given up on. */
    answered: () => floating.settled(),

    /**
     * Stops polling; `graceful` waits up to `timeoutMs` for the jobs in hand to finish, then fails what is left
     * ("pg-boss shut down while active"); and waits for every job answer in flight, so the pool can close after.
     */
    async stop(o: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
      await boss.stop({ graceful: o.graceful ?? true, timeout: o.timeoutMs ?? 30_000, close: false, wait: true })
      await floating.settled()
    },
  }
}

/** The engine as returned by `openFleetJobs`. */
export type FleetJobs = Awaited<ReturnType<typeof openFleetJobs>>

/**
 * Creates a queue, or updates its options (two workers starting together both try: the loser updates). pg-boss
 * makes a partition table per queue, and two engines creating the same queue at once can deadlock in Postgres
 * (`deadlock detected`, seen in CI): Postgres aborts one, which tries again once the winner has committed.
 */
async function ensureQueue(boss: PgBoss, q: PgBoss.Queue): Promise<void> {
  const { name, ...options } = q
  for (let attempt = 0; ; attempt++) {
    try {
      if (await boss.getQueue(name)) return void (await boss.updateQueue(name, { name, ...options }))
      return void (await boss.createQueue(name, q))
    } catch (err) {
      // A deadlock, or the winner's queue appearing between our check and our create: look again.
      if (attempt >= 4 || !CONCURRENT_CREATE.has(String((err as { code?: unknown }).code))) {
        if (await boss.getQueue(name).catch(() => undefined)) return
        throw err
      }
      await sleep(50 * 2 ** attempt)
    }
  }
}

/** SQLSTATEs of two engines creating one queue at once: deadlock_detected, unique_violation, duplicate_table. */
const CONCURRENT_CREATE: ReadonlySet<string> = new Set(['40P01', '23505', '42P07'])
