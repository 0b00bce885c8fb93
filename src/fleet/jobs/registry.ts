import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Queryable } from '../db/openDatabase.js'
import { sleep } from '../../util/sleep.js'
import { isDatabaseUnreachable } from '../db/errors.js'
import { RUN_QUEUE } from './queues.js'

/** A worker as `gondola fleet status` shows it. */
export type WorkerRow = {
  id: string
  role: 'agent' | 'treasury'
  host: string
  pid: number
  concurrency: number
  startedAt: string
  heartbeatAt: string
  state: 'alive' | 'stale' | 'stopped'
  info: Record<string, unknown>
}

/** One attempt of a queued run. */
export type RunRow = {
  jobId: string
  attempt: number
  agent: string
  workerId: string
  status: string
  steps: number | null
  costDiem: number | null
  error: string | null
  startedAt: string
  finishedAt: string | null
}

/** Seconds between heartbeats; a worker silent for three of them is stale. */
export const HEARTBEAT_SECONDS = 5

/**
 * Registers this process as a worker and keeps its heartbeat fresh; `stop()` marks it stopped. A heartbeat
 * that fails (Postgres restarting) is retried on the next tick: the worker stays registered.
 *
 * @example
 * ```ts
 * const me = await registerWorker(db, { role: 'agent', concurrency: 4 })
 * me.setInfo({ runway: { treasurer: 120 } })
 * await me.stop()
 * ```
 */
export async function registerWorker(
  db: Queryable,
  o: { role: 'agent' | 'treasury'; concurrency: number; info?: Record<string, unknown>; onError?: (message: string) => void },
) {
  const id = `${o.role === 'treasury' ? 't' : 'w'}-${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`
  let info: Record<string, unknown> = o.info ?? {}
  await db.query('INSERT INTO gondola.fleet_workers (id, role, host, pid, concurrency, info) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    o.role,
    hostname(),
    process.pid,
    o.concurrency,
    info,
  ])
  const beat = () =>
    db.query('UPDATE gondola.fleet_workers SET heartbeat_at = now(), info = $2 WHERE id = $1', [id, info]).then(
      () => {},
      (err: unknown) => o.onError?.(err instanceof Error ? err.message : String(err)),
    )
  const timer = setInterval(() => void beat(), HEARTBEAT_SECONDS * 1000)
  timer.unref()
  return {
    id,
    setInfo(next: Record<string, unknown>) {
      info = { ...info, ...next }
    },
    async stop() {
      clearInterval(timer)
      await db.query('UPDATE gondola.fleet_workers SET stopped_at = now(), heartbeat_at = now(), info = $2 WHERE id = $1', [id, info]).catch(() => {})
    },
  }
}

/** The registered workers, newest first (stopped ones from the last hour only). */
export async function listWorkers(db: Queryable): Promise<WorkerRow[]> {
  const rows = await db.query<{
    id: string
    role: 'agent' | 'treasury'
    host: string
    pid: number
    concurrency: number
    started_at: Date
    heartbeat_at: Date
    stopped_at: Date | null
    info: Record<string, unknown>
    stale: boolean
  }>(
    `SELECT *, heartbeat_at < now() - make_interval(secs => $1) AS stale FROM gondola.fleet_workers
      WHERE stopped_at IS NULL OR stopped_at > now() - interval '1 hour' ORDER BY started_at DESC LIMIT 200`,
    [HEARTBEAT_SECONDS * 3],
  )
  return rows.map((r) => ({
    id: r.id,
    role: r.role,
    host: r.host,
    pid: r.pid,
    concurrency: r.concurrency,
    startedAt: r.started_at.toISOString(),
    heartbeatAt: r.heartbeat_at.toISOString(),
    state: r.stopped_at ? 'stopped' : r.stale ? 'stale' : 'alive',
    info: r.info,
  }))
}

/**
 * Retries `fn` while Postgres is unreachable (restarting), up to `forMs`: a run that finished while the database
 * was down still gets its record (and its job completed) instead of being run again after its expiry.
 */
export async function whileDatabaseDown<T>(fn: () => Promise<T>, forMs = 60_000): Promise<T> {
  const until = Date.now() + forMs
  for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await fn()
    } catch (err) {
      if (!isDatabaseUnreachable(err) || Date.now() + wait > until) throw err
      await sleep(wait)
    }
  }
}

/**
 * The statuses that are not a run's outcome: an attempt in progress, or one that ended without deciding the run.
 * Any other status (`completed`, `refused`, `max_steps`, …) is the run's one outcome: at most one attempt of a
 * run holds one (migration 022's unique index).
 */
export const NON_OUTCOME_STATUSES = ['active', 'failed', 'lost', 'discarded', 'error'] as const
const NON_OUTCOME_SQL = NON_OUTCOME_STATUSES.map((s) => `'${s}'`).join(', ')

/**
 * Records that `workerId` started attempt `attempt` of run job `jobId`; an earlier attempt still `active` was lost
 * with its worker. One statement.
 */
export async function recordRunStart(db: Queryable, r: { jobId: string; attempt: number; agent: string; workerId: string }): Promise<void> {
  await whileDatabaseDown(() =>
    db.query(
      `WITH lost AS (
         UPDATE gondola.fleet_runs SET status = 'lost', error = coalesce(error, 'its worker ' || worker_id || ' ended without recording it; attempt ' || $2 || ' took the job'), finished_at = now()
          WHERE job_id = $1 AND attempt < $2 AND status = 'active' RETURNING 1
       )
       INSERT INTO gondola.fleet_runs (job_id, attempt, agent, worker_id, status) VALUES ($1, $2, $3, $4, 'active')
       ON CONFLICT (job_id, attempt) DO UPDATE SET worker_id = EXCLUDED.worker_id, status = 'active', started_at = now(), finished_at = NULL`,
      [r.jobId, r.attempt, r.agent, r.workerId],
    ),
  )
}

/**
 * How an attempt's end was taken. `recorded: false`: an outcome that was not the run's (see `recordRunEnd`), recorded
 * as `discarded` with the reason. `leaseHeld`: the pg-boss job is still this attempt's, so its answer (complete or
 * fail) is the job's; when false, pg-boss has already failed or handed on the job and the answer must not touch it.
 */
export type RunEndRecord = ({ recorded: true } | { recorded: false; reason: string }) & {
  leaseHeld: boolean
  /** With `complete`: whether the job was completed in the same statement (the lease held): pg-boss's own answer is then redundant. */
  jobCompleted?: boolean
}

/**
 * Records how an attempt ended (counts only: no prompt, no output), in one statement.
 *
 * An outcome (any status but `failed`/`error`) is the run's only if the attempt still holds its lease — the pg-boss
 * job is `active` on this very attempt (`retry_count + 1`), row-locked against pg-boss's expiry — and no other
 * attempt of the run has an outcome. Otherwise (pg-boss expired the attempt and handed the run on, or another
 * attempt ended it) the attempt is recorded `discarded` with the reason and its counts: its model calls are in the
 * ledger once (lines are keyed by completion id), but it is not the run's outcome. At-least-once delivery,
 * exactly-once completion (migration 022 makes it an invariant of the table).
 *
 * `forMs` bounds the wait for Postgres (restarting): past the attempt's lease, waiting longer cannot help.
 * `complete` (an outcome's job output) also completes the pg-boss job in the same statement when the lease is held —
 * what pg-boss's own answer would do next (`plans.completeJobs`): one round trip less per run, and no moment where
 * the run has its outcome but its job is still active.
 *
 * @example
 * ```ts
 * const end = await recordRunEnd(db, { jobId, attempt: 1, status: 'completed', steps: 3 })
 * if (!end.recorded) log.warn('attempt discarded', { reason: end.reason })
 * ```
 */
export async function recordRunEnd(
  db: Queryable,
  r: { jobId: string; attempt: number; status: string; steps?: number; costDiem?: number; costUsd?: number; error?: string },
  o: { forMs?: number | undefined; complete?: Record<string, unknown> | undefined } = {},
): Promise<RunEndRecord> {
  const outcome = !(NON_OUTCOME_STATUSES as readonly string[]).includes(r.status)
  const complete = outcome && o.complete !== undefined
  // The lease is the job row, locked: by the completion itself when the attempt answers the job here.
  const lease = complete
    ? `UPDATE pgboss.job SET completed_on = now(), state = 'completed', output = $10::jsonb
        WHERE id = $1 AND name = $8 AND state = 'active' AND retry_count + 1 = $2
          AND EXISTS (SELECT 1 FROM gondola.fleet_runs WHERE job_id = $1 AND attempt = $2) RETURNING 1`
    : "SELECT 1 FROM pgboss.job WHERE id = $1 AND name = $8 AND state = 'active' AND retry_count + 1 = $2 FOR UPDATE"
  const values = [r.jobId, r.attempt, r.status, r.steps ?? null, r.costDiem ?? null, r.costUsd ?? null, r.error ?? null, RUN_QUEUE, outcome]
  const [row] = await whileDatabaseDown(
    () =>
      db.query<{ discarded: string | null; lease_held: boolean }>(
        `WITH lease AS (
           ${lease}
         ), job AS (
           SELECT state::text, retry_count FROM pgboss.job WHERE id = $1 AND name = $8
         ), other AS (
           SELECT attempt FROM gondola.fleet_runs WHERE job_id = $1 AND attempt <> $2 AND status NOT IN (${NON_OUTCOME_SQL}) LIMIT 1
         ), verdict AS (
           SELECT CASE
                    WHEN NOT $9::boolean THEN NULL
                    WHEN EXISTS (SELECT 1 FROM other) THEN 'attempt ' || (SELECT attempt FROM other) || ' already ended the run'
                    WHEN EXISTS (SELECT 1 FROM lease) THEN NULL
                    WHEN NOT EXISTS (SELECT 1 FROM job) THEN 'its job is no longer in the queue'
                    WHEN (SELECT retry_count FROM job) + 1 <> $2 THEN 'its lease ended (pg-boss handed the run to attempt ' || ((SELECT retry_count FROM job) + 1) || ')'
                    ELSE 'its lease ended (the job is ' || (SELECT state FROM job) || ')'
                  END AS reason,
                  EXISTS (SELECT 1 FROM lease) AS lease_held
         )
         UPDATE gondola.fleet_runs r
            SET status = CASE WHEN v.reason IS NULL THEN $3 ELSE 'discarded' END,
                steps = $4, cost_diem = $5, cost_usd = $6, finished_at = now(),
                error = CASE WHEN v.reason IS NULL THEN $7 ELSE left('ended ' || $3 || ' after ' || v.reason || '; discarded (its spend is in the ledger)', 500) END
           FROM verdict v
          WHERE r.job_id = $1 AND r.attempt = $2
      RETURNING v.reason AS discarded, v.lease_held`,
        complete ? [...values, JSON.stringify(o.complete)] : values,
      ),
    o.forMs,
  )
  if (!row) return { recorded: false, leaseHeld: false, reason: 'its attempt was never recorded as started' }
  const end = { leaseHeld: row.lease_held, ...(complete ? { jobCompleted: row.lease_held } : {}) }
  return row.discarded === null ? { recorded: true, ...end } : { recorded: false, ...end, reason: row.discarded }
}

/** The latest run attempts, newest first. */
export async function recentRuns(db: Queryable, limit = 20): Promise<RunRow[]> {
  const rows = await db.query<{
    job_id: string
    attempt: number
    agent: string
    worker_id: string
    status: string
    steps: number | null
    cost_diem: number | null
    error: string | null
    started_at: Date
    finished_at: Date | null
  }>('SELECT * FROM gondola.fleet_runs ORDER BY started_at DESC LIMIT $1', [limit])
  return rows.map((r) => ({
    jobId: r.job_id,
    attempt: r.attempt,
    agent: r.agent,
    workerId: r.worker_id,
    status: r.status,
    steps: r.steps,
    costDiem: r.cost_diem,
    error: r.error,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  }))
}

/**
 * Ends the run attempts that are still `active` but that no live worker holds, with the reason, so that no run
 * stays open forever: an attempt whose pg-boss job ended or moved on (expired after its last retry, failed by a
 * handler timeout, retried) takes the job's outcome and message; an attempt whose worker stopped or went silent
 * (SIGKILLed, machine gone) is `lost` (pg-boss retries the job after its expiry). A worker that was only cut off
 * from Postgres and finishes the run later overwrites this with its own record. Idempotent; one statement.
 *
 * @returns the attempts it ended.
 * @example
 * ```ts
 * await endOrphanRuns(db) // [{ jobId, attempt, status: 'failed', error: 'job failed by timeout in active state' }]
 * ```
 */
export async function endOrphanRuns(db: Queryable): Promise<Array<{ jobId: string; attempt: number; status: string; error: string }>> {
  const rows = await db.query<{ job_id: string; attempt: number; status: string; error: string }>(
    `WITH ended AS (
       SELECT r.job_id, r.attempt,
              CASE WHEN EXISTS (SELECT 1 FROM gondola.fleet_runs o WHERE o.job_id = r.job_id AND o.attempt <> r.attempt AND o.status NOT IN (${NON_OUTCOME_SQL})) THEN 'discarded'
                   WHEN j.id IS NOT NULL AND j.retry_count + 1 = r.attempt AND j.state = 'completed' THEN coalesce(j.output->>'status', 'completed')
                   -- pg-boss expired the attempt of a worker that died (SIGKILL, machine gone) and will retry it: lost with its worker.
                   WHEN j.id IS NOT NULL AND j.retry_count + 1 = r.attempt AND j.state IN ('retry', 'created') THEN 'lost'
                   WHEN j.id IS NOT NULL AND j.retry_count + 1 = r.attempt AND j.state IN ('failed', 'cancelled') THEN 'failed'
                   ELSE 'lost' END AS status,
              CASE WHEN j.id IS NULL THEN 'its job is no longer in the queue'
                   WHEN j.retry_count + 1 = r.attempt AND j.state IN ('retry', 'created') THEN
                     'its worker ' || r.worker_id || ' ended without recording it; pg-boss retries the job'
                   WHEN j.retry_count + 1 = r.attempt AND j.state <> 'active' THEN
                     left(coalesce(j.output->>'error', j.output->>'message', j.output->'value'->>'message', 'job ' || j.state::text), 500)
                   WHEN j.retry_count + 1 <> r.attempt THEN 'a later attempt took the job'
                   WHEN w.id IS NULL OR w.stopped_at IS NOT NULL THEN 'its worker ' || r.worker_id || ' stopped without recording it'
                   ELSE 'its worker ' || r.worker_id || ' has sent no heartbeat since ' || to_char(w.heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS reason
         FROM gondola.fleet_runs r
         LEFT JOIN pgboss.job j ON j.id = r.job_id AND j.name = $1
         LEFT JOIN gondola.fleet_workers w ON w.id = r.worker_id
        WHERE (r.status = 'active'
               AND (j.id IS NULL OR j.state <> 'active' OR j.retry_count + 1 <> r.attempt
                    OR w.id IS NULL OR w.stopped_at IS NOT NULL OR w.heartbeat_at < now() - make_interval(secs => $2))
               -- Expired by pg-boss and waiting for its retry while its worker still beats: not decided here. The
               -- worker records its own end, or the retry's start marks it lost; a worker that dies meanwhile goes
               -- silent, and then it is lost (a worker killed a moment ago still looks alive).
               AND NOT (j.id IS NOT NULL AND j.retry_count + 1 = r.attempt AND j.state IN ('retry', 'created')
                        AND w.id IS NOT NULL AND w.stopped_at IS NULL AND w.heartbeat_at >= now() - make_interval(secs => $2)))
           -- A last attempt marked lost with its worker, whose job then expired with no retry left: failed.
           OR (r.status = 'lost' AND j.state = 'failed' AND j.retry_count + 1 = r.attempt)
     )
     UPDATE gondola.fleet_runs r SET status = e.status, error = CASE WHEN r.error IS NULL THEN e.reason ELSE r.error || '; then ' || e.reason END, finished_at = now()
       FROM ended e WHERE r.job_id = e.job_id AND r.attempt = e.attempt AND r.status IN ('active', 'lost')
     RETURNING r.job_id::text, r.attempt, r.status, r.error`,
    [RUN_QUEUE, HEARTBEAT_SECONDS * 3],
  )
  return rows.map((r) => ({ jobId: r.job_id, attempt: r.attempt, status: r.status, error: r.error }))
}

/** Ends this worker's attempts still `active` (it is stopping and they did not finish), with the reason. */
export async function endRunsOfWorker(db: Queryable, workerId: string, reason: string): Promise<number> {
  const rows = await db.query(
    "UPDATE gondola.fleet_runs SET status = 'failed', error = $2, finished_at = now() WHERE worker_id = $1 AND status = 'active' RETURNING job_id",
    [workerId, reason],
  )
  return rows.length
}
