import type { KeySummary } from '../../keys/KeyStore.js'
import type { Database } from '../db/openDatabase.js'
import type { FleetJobs, QueueCounts } from './openFleetJobs.js'
import { endOrphanRuns, listWorkers, recentRuns, type RunRow, type WorkerRow } from './registry.js'

/** What `gondola fleet status` shows. Keys appear as a short prefix only. */
export type FleetStatus = {
  database: string
  workers: WorkerRow[]
  queues: QueueCounts[]
  schedules: Array<{ queue: string; cron: string; agent: string }>
  runs: RunRow[]
  /** Distinct runs; finished ones; attempts failed or lost with their worker; attempts beyond the first (retries). */
  totals: { runs: number; completed: number; failed: number; retried: number }
  keys: Array<{ id: string; type: string; agent: string | null; redacted: string }>
  /** The latest runway each agent's worker reported (hours; null = nothing spent yet). */
  runway: Array<{ agent: string; hours: number | null; level: string; at: string; worker: string }>
}

/**
 * Gathers the fleet's state from Postgres (after ending the attempts no live worker holds, see `endOrphanRuns`): workers (alive if their heartbeat is fresh), queue counts, schedules,
 * recent runs, the kept keys (redacted) and the runway the workers last saw.
 *
 * @example
 * ```ts
 * const s = await fleetStatus(db, jobs, store.summaries())
 * s.workers.filter((w) => w.state === 'alive').length
 * ```
 */
export async function fleetStatus(db: Database, jobs: FleetJobs, keys: readonly KeySummary[] = []): Promise<FleetStatus> {
  // A run shows as active only while a live worker holds it: attempts nobody holds are ended first, with their reason.
  await endOrphanRuns(db)
  const [workers, queues, schedules, runs, [totals]] = await Promise.all([
    listWorkers(db),
    jobs.queueCounts(),
    jobs.schedules(),
    recentRuns(db, 20),
    db.query<{ runs: string; completed: string; failed: string; retried: string }>(
      `SELECT count(DISTINCT job_id)::text AS runs,
              count(DISTINCT job_id) FILTER (WHERE status NOT IN ('active', 'failed', 'lost', 'discarded', 'error'))::text AS completed,
              count(*) FILTER (WHERE status IN ('failed', 'lost', 'discarded'))::text AS failed,
              count(*) FILTER (WHERE attempt > 1)::text AS retried
         FROM gondola.fleet_runs`,
    ),
  ])
  const runway = new Map<string, FleetStatus['runway'][number]>()
  for (const w of workers) {
    const seen = (w.info.runway ?? {}) as Record<string, { hours: number | null; level: string; at: string }>
    for (const [agent, r] of Object.entries(seen))
      if (!runway.has(agent) || runway.get(agent)!.at < r.at) runway.set(agent, { agent, hours: r.hours, level: r.level, at: r.at, worker: w.id })
  }
  return {
    database: db.displayUrl,
    workers,
    queues,
    schedules,
    runs,
    totals: {
      runs: Number(totals?.runs ?? 0),
      completed: Number(totals?.completed ?? 0),
      failed: Number(totals?.failed ?? 0),
      retried: Number(totals?.retried ?? 0),
    },
    keys: keys.map((k) => ({ id: k.id.slice(0, 8), type: k.apiKeyType, agent: k.agent ?? null, redacted: k.redacted })),
    runway: [...runway.values()].sort((a, b) => a.agent.localeCompare(b.agent)),
  }
}
