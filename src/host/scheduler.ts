import { parseCron, type AgentDefinition, type CronSchedule } from '../agent/defineAgent.js'
import type { LimiterClock } from '../agent/rateLimiter.js'
import { BaseError } from '../errors/BaseError.js'
import { sleep } from '../util/sleep.js'

/** A schedule that cannot run (no interval or cron, both, no bound). */
export class ScheduleError extends BaseError {
  override name = 'ScheduleError' as const
}

/**
 * One recurring job, on a fixed interval (`everySeconds`) or a 5-field `cron` (read in `timezone`, default UTC).
 * `run` is awaited before the next slot, so runs of one job never overlap.
 */
export type ScheduledJob = {
  name: string
  everySeconds?: number | undefined
  cron?: string | undefined
  timezone?: string | undefined
  /**
   * Cron jobs only: run a missed slot once, as soon as it is noticed — at the start, when the last slot before it
   * has no run since (`lastRunAt`, clock ms; no answer counts as never), and right after a run that outlasted
   * later slots. Never more than one catch-up in a row.
   */
  catchUp?: { lastRunAt?: (() => number | undefined | Promise<number | undefined>) | undefined } | undefined
  /**
   * Interval jobs only: when the job last started (clock ms, e.g. read from a file the job writes), so a restart
   * keeps the rate: the first run waits until one interval after it instead of running at once.
   */
  lastStartedAt?: (() => number | undefined | Promise<number | undefined>) | undefined
  run: (tick: ScheduleTick) => Promise<unknown>
}

/** How a job is timed, as in a definition's `schedule`. */
export type JobTiming = Pick<ScheduledJob, 'everySeconds' | 'cron' | 'timezone'>

/** What a run is told: which job, which run (1-based), when it was due (clock ms), and a stop signal. */
export type ScheduleTick = { job: string; n: number; dueAt: number; signal: AbortSignal /** This run makes up for a missed slot. */; catchUp: boolean }

/** One finished run, as reported to `onRun` and in the report. */
export type ScheduleRun = {
  job: string
  n: number
  dueAt: number
  startedAt: number
  ok: boolean
  value?: unknown
  error?: unknown
  skippedSlots: number
  catchUp: boolean
}

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
 * Runs jobs on an injectable clock. An `everySeconds` job runs at once (or one interval after `lastStartedAt`),
 * then at a fixed rate;
 * a `cron` job runs at each matching time from the start on (a match at the start itself counts). A run that
 * outlasts its next slot skips the missed slots (no pile-up, no overlap). Bounded by `maxRuns` and/or `until`,
 * or stopped with `signal`; at least one bound is required.
 *
 * @throws {ScheduleError} when a job has neither (or both) a positive interval and a cron, or the schedule has no bound.
 * @throws {InvalidCronError} when a job's cron expression or time zone cannot be read.
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
  const timings = jobs.map(checkTiming)
  const clock = options.clock ?? wallClock
  const stop = new AbortController()
  const onAbort = () => stop.abort(options.signal?.reason)
  if (options.signal?.aborted) stop.abort(options.signal.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const runs: ScheduleRun[] = []
  let stoppedBy: ScheduleReport['stoppedBy'] = options.maxRuns !== undefined ? 'maxRuns' : 'until'
  const start = clock.now()

  async function loop(job: ScheduledJob, i: number): Promise<void> {
    const timing = timings[i]!
    const slots =
      typeof timing === 'number' ? intervalSlots(firstIntervalRun(await job.lastStartedAt?.(), start, timing * 1000), timing * 1000) : cronSlots(start, timing)
    let dueAt = slots.first
    let catchUp = false
    if (job.catchUp && typeof timing !== 'number') {
      const prev = timing.prevAt(start)
      if (prev < start) {
        const last = await job.catchUp.lastRunAt?.()
        if (last === undefined || last < prev) [dueAt, catchUp] = [start, true]
      }
    }
    for (let n = 1; options.maxRuns === undefined || n <= options.maxRuns; n++) {
      if (options.until !== undefined && dueAt > options.until) return
      const wait = dueAt - clock.now()
      if (wait > 0) {
        const slept = await clock.sleep(wait, stop.signal).then(
          () => true,
          () => false,
        )
        if (!slept) return
      }
      if (stop.signal.aborted) return
      const startedAt = clock.now()
      const run: ScheduleRun = { job: job.name, n, dueAt, startedAt, ok: true, skippedSlots: 0, catchUp }
      try {
        run.value = await job.run({ job: job.name, n, dueAt, signal: stop.signal, catchUp })
      } catch (error) {
        Object.assign(run, { ok: false, error })
      }
      // Next slot: the first one not already in the past (missed slots are skipped, not queued).
      const next = slots.after(dueAt, clock.now())
      run.skippedSlots = next.skipped
      if (job.catchUp && typeof timing !== 'number' && next.skipped > 0 && !catchUp) [dueAt, catchUp] = [clock.now(), true]
      else [dueAt, catchUp] = [next.dueAt, false]
      runs.push(run)
      options.onRun?.(run)
    }
  }

  try {
    await Promise.all(jobs.map((job, i) => loop(job, i)))
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
  if (stop.signal.aborted) stoppedBy = 'signal'
  return { runs, stoppedBy }
}

/**
 * When an interval job first runs (clock ms): at `start`, or one interval after its last start when that is still
 * ahead — never more than one interval away (a last start in the future, a clock set back, waits no longer).
 *
 * @example
 * ```ts
 * firstIntervalRun(1_000, 60_000, 600_000) // 540_000: the last run started 59 s before the start
 * ```
 */
export function firstIntervalRun(lastStartedAt: number | undefined, start: number, everyMs: number): number {
  return lastStartedAt !== undefined && lastStartedAt + everyMs > start ? Math.min(lastStartedAt + everyMs, start + everyMs) : start
}

/** A job's validated timing: an interval in seconds, or a parsed cron schedule. */
function checkTiming(job: ScheduledJob): number | CronSchedule {
  if (job.cron !== undefined && job.everySeconds !== undefined)
    throw new ScheduleError(`Job "${job.name}" has both an interval and a cron schedule.`, {
      metaMessages: ['Set one of everySeconds or cron.'],
      code: 'SCHEDULE_AMBIGUOUS',
    })
  if (job.cron !== undefined) return parseCron(job.name, job.cron, job.timezone)
  const every = job.everySeconds
  if (every === undefined || !(every > 0) || !Number.isFinite(every))
    throw new ScheduleError(`Job "${job.name}" needs a positive interval or a cron schedule, got ${every} s.`, { code: 'SCHEDULE_INTERVAL' })
  return every
}

/** The due times of one job: the first, and the next one after a run that ended at `now` (with how many were missed). */
type Slots = { first: number; after: (dueAt: number, now: number) => { dueAt: number; skipped: number } }

/** Fixed rate: slot k is due at `start + k·every`; slot indices are kept, not re-derived, so no float drift. */
function intervalSlots(start: number, every: number): Slots {
  let slot = 0
  return {
    first: start,
    after: (_dueAt, now) => {
      const next = Math.max(slot + 1, Math.ceil((now - start) / every))
      const skipped = next - slot - 1
      slot = next
      return { dueAt: start + next * every, skipped }
    },
  }
}

/** Cron: the next match after the last due time; matches already in the past are counted and skipped. */
function cronSlots(start: number, cron: CronSchedule): Slots {
  return {
    first: cron.nextAt(start),
    after: (dueAt, now) => {
      let next = cron.nextAt(dueAt + 1)
      let skipped = 0
      for (; next < now; skipped++) next = cron.nextAt(next + 1)
      return { dueAt: next, skipped }
    },
  }
}

/**
 * The timing of one agent: an `every` override wins, then its `schedule.cron` (in `schedule.timezone`, default
 * UTC), then its `schedule.everySeconds`.
 *
 * @throws {ScheduleError} for a definition with no schedule when no override is given.
 *
 * @example
 * ```ts
 * timingOf('nightly', { cron: '5 0 * * *' }) // { cron: '5 0 * * *', timezone: undefined }
 * ```
 */
export function timingOf(name: string, schedule: JobTiming | undefined, o: { everySeconds?: number | undefined } = {}): JobTiming {
  if (o.everySeconds !== undefined) return { everySeconds: o.everySeconds }
  if (schedule?.cron !== undefined) return { cron: schedule.cron, timezone: schedule.timezone }
  if (schedule?.everySeconds !== undefined) return { everySeconds: schedule.everySeconds }
  throw new ScheduleError(`Agent "${name}" has no schedule.`, {
    metaMessages: ['Set schedule.everySeconds or schedule.cron in its definition, or pass --every <seconds>.'],
    code: 'SCHEDULE_MISSING',
  })
}

/**
 * The jobs of agent definitions, each on its `schedule` (see `timingOf`; an `everySeconds` override wins).
 *
 * @throws {ScheduleError} for a definition with no schedule when no override is given.
 *
 * @example
 * ```ts
 * const jobs = jobsFromDefinitions([treasurer, nightly], (def) => host.run(def))
 * await runSchedule(jobs, { maxRuns: 24 })
 * ```
 */
export function jobsFromDefinitions(
  defs: readonly AgentDefinition[],
  run: (def: AgentDefinition, tick: ScheduleTick) => Promise<unknown>,
  o: { everySeconds?: number | undefined } = {},
): ScheduledJob[] {
  return defs.map((def) => ({ name: def.name, ...timingOf(def.name, def.schedule, o), run: (tick: ScheduleTick) => run(def, tick) }))
}
