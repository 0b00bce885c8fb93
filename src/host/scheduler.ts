import type { AgentDefinition } from '../agent/defineAgent.js'
import type { LimiterClock } from '../agent/rateLimiter.js'
import { BaseError } from '../errors/BaseError.js'
import { sleep } from '../venice/retry.js'

/** A schedule that cannot run (no interval, a cron-only schedule, no bound). */
export class ScheduleError extends BaseError {
  override name = 'ScheduleError' as const
}

/** One recurring job: `run` is awaited before the next slot, so runs of one job never overlap. */
export type ScheduledJob = {
  name: string
  everySeconds: number
  run: (tick: ScheduleTick) => Promise<unknown>
}

/** What a run is told: which job, which run (1-based), when it was due (clock ms), and a stop signal. */
export type ScheduleTick = { job: string; n: number; dueAt: number; signal: AbortSignal }

/** One finished run, as reported to `onRun` and in the report. */
export type ScheduleRun = { job: string; n: number; dueAt: number; startedAt: number; ok: boolean; value?: unknown; error?: unknown; skippedSlots: number }

export type SchedulerOptions = {
  /** Injectable clock: `now()` in ms and an abortable `sleep(ms, signal)`. Default: the wall clock. */
  clock?: LimiterClock | undefined
  /** Stop each job after this many runs. */
  maxRuns?: number | undefined
  /** Start no run due after this time (clock ms). */
  until?: number | undefined
  /** Stops every job (a run in progress gets the signal and is awaited). */
  signal?: AbortSignal | undefined
  /** Told about every run, success or failure; a failed run does not end the schedule. */
  onRun?: ((run: ScheduleRun) => void) | undefined
}

/** What `runSchedule` resolves once every job has stopped. */
export type ScheduleReport = { runs: ScheduleRun[]; stoppedBy: 'maxRuns' | 'until' | 'signal' }

const wallClock: LimiterClock = { now: Date.now, sleep }

/**
 * Runs jobs at a fixed rate on an injectable clock: the first run at once, then every `everySeconds`
 * after the start. A run longer than its interval skips the missed slots (no pile-up, no overlap).
 * Bounded by `maxRuns` and/or `until`, or stopped with `signal`; at least one bound is required.
 *
 * @throws {ScheduleError} when a job has no positive interval or the schedule has no bound.
 *
 * @example
 * ```ts
 * const stop = new AbortController()
 * const report = await runSchedule([{ name: 'treasurer', everySeconds: 3600, run: () => host.run(treasurer) }], { signal: stop.signal })
 * ```
 */
export async function runSchedule(jobs: readonly ScheduledJob[], options: SchedulerOptions): Promise<ScheduleReport> {
  if (options.maxRuns === undefined && options.until === undefined && options.signal === undefined) {
    throw new ScheduleError('A schedule needs a bound: maxRuns, until or an AbortSignal.', { code: 'SCHEDULE_UNBOUNDED' })
  }
  for (const job of jobs) {
    if (!(job.everySeconds > 0) || !Number.isFinite(job.everySeconds)) throw new ScheduleError(`Job "${job.name}" needs a positive interval, got ${job.everySeconds} s.`, { code: 'SCHEDULE_INTERVAL' })
  }
  const clock = options.clock ?? wallClock
  const stop = new AbortController()
  const onAbort = () => stop.abort(options.signal?.reason)
  if (options.signal?.aborted) stop.abort(options.signal.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const runs: ScheduleRun[] = []
  let stoppedBy: ScheduleReport['stoppedBy'] = options.maxRuns !== undefined ? 'maxRuns' : 'until'
  const start = clock.now()

  async function loop(job: ScheduledJob): Promise<void> {
    const every = job.everySeconds * 1000
    let slot = 0
    for (let n = 1; options.maxRuns === undefined || n <= options.maxRuns; n++) {
      const dueAt = start + slot * every
      if (options.until !== undefined && dueAt > options.until) return
      const wait = dueAt - clock.now()
      if (wait > 0) {
        const slept = await clock.sleep(wait, stop.signal).then(() => true, () => false)
        if (!slept) return
      }
      if (stop.signal.aborted) return
      const startedAt = clock.now()
      const run: ScheduleRun = { job: job.name, n, dueAt, startedAt, ok: true, skippedSlots: 0 }
      try {
        run.value = await job.run({ job: job.name, n, dueAt, signal: stop.signal })
      } catch (error) {
        Object.assign(run, { ok: false, error })
      }
      // Next slot: the first one not already in the past (missed slots are skipped, not queued).
      const next = Math.max(slot + 1, Math.ceil((clock.now() - start) / every))
      run.skippedSlots = next - slot - 1
      slot = next
      runs.push(run)
      options.onRun?.(run)
    }
  }

  try {
    await Promise.all(jobs.map(loop))
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
  if (stop.signal.aborted) stoppedBy = 'signal'
  return { runs, stoppedBy }
}

/**
 * The jobs of agent definitions that have `schedule.everySeconds` (an `every` override wins).
 *
 * @throws {ScheduleError} for a definition with only a `cron` schedule, or none, when no override is given.
 *
 * @example
 * ```ts
 * const jobs = jobsFromDefinitions([treasurer], (def) => host.run(def))
 * await runSchedule(jobs, { maxRuns: 24 })
 * ```
 */
export function jobsFromDefinitions(defs: readonly AgentDefinition[], run: (def: AgentDefinition, tick: ScheduleTick) => Promise<unknown>, o: { everySeconds?: number | undefined } = {}): ScheduledJob[] {
  return defs.map((def) => {
    const everySeconds = o.everySeconds ?? def.schedule?.everySeconds
    if (everySeconds === undefined) {
      const why = def.schedule?.cron ? `has only a cron schedule ("${def.schedule.cron}"), which the scheduler does not run` : 'has no schedule'
      throw new ScheduleError(`Agent "${def.name}" ${why}.`, { metaMessages: ['Set schedule.everySeconds in its definition, or pass --every <seconds>.'], code: 'SCHEDULE_MISSING' })
    }
    return { name: def.name, everySeconds, run: (tick: ScheduleTick) => run(def, tick) }
  })
}
