import { describe, expect, it } from 'vitest'
import type { LimiterClock } from '../src/agent/rateLimiter.js'
import { defineAgent } from '../src/agent/defineAgent.js'
import { jobsFromDefinitions, runSchedule } from '../src/host/scheduler.js'
import { loadAgent } from '../agents/index.js'

/**
 * A discrete-event virtual clock: sleepers wait in a queue; once everything else has settled, time jumps to the
 * earliest wake-up. Concurrent jobs therefore see one consistent timeline, and no test waits for real time.
 */
function virtualClock(start = 1_000_000): LimiterClock & { t: number } {
  const sleepers: Array<{ at: number; wake: () => void }> = []
  let pending = false
  const c = {
    t: start,
    now: () => c.t,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const sleeper = { at: c.t + ms, wake: resolve }
        sleepers.push(sleeper)
        signal?.addEventListener('abort', () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1)
          reject(signal.reason)
        }, { once: true })
        advance()
      }),
  }
  function advance() {
    if (pending) return
    pending = true
    setImmediate(() => {
      pending = false
      sleepers.sort((a, b) => a.at - b.at)
      const next = sleepers.shift()
      if (!next) return
      c.t = Math.max(c.t, next.at)
      next.wake()
      if (sleepers.length) advance()
    })
  }
  return c
}

describe('scheduler (virtual clock)', () => {
  it('runs jobs at a fixed rate from the start, each job on its own interval, bounded by until', async () => {
    const clock = virtualClock()
    const seen: Array<[string, number]> = []
    const report = await runSchedule(
      [
        { name: 'a', everySeconds: 10, run: async (t) => void seen.push(['a', t.dueAt - 1_000_000]) },
        { name: 'b', everySeconds: 25, run: async (t) => void seen.push(['b', t.dueAt - 1_000_000]) },
      ],
      { clock, until: 1_000_000 + 60_000 },
    )
    expect(seen.filter(([j]) => j === 'a').map(([, at]) => at)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000])
    expect(seen.filter(([j]) => j === 'b').map(([, at]) => at)).toEqual([0, 25_000, 50_000])
    expect(report.stoppedBy).toBe('until')
    expect(report.runs).toHaveLength(10)
  })

  it('a run longer than the interval skips the missed slots instead of piling up; runs never overlap', async () => {
    const clock = virtualClock(0)
    let running = 0
    let maxRunning = 0
    const report = await runSchedule(
      [{ name: 'slow', everySeconds: 10, run: async () => {
        running++
        maxRunning = Math.max(maxRunning, running)
        clock.t += 25_000 // takes 2.5 intervals
        running--
      } }],
      { clock, maxRuns: 3 },
    )
    expect(report.runs.map((r) => r.dueAt)).toEqual([0, 30_000, 60_000])
    expect(report.runs.map((r) => r.skippedSlots)).toEqual([2, 2, 2])
    expect(maxRunning).toBe(1)
    expect(report.stoppedBy).toBe('maxRuns')
  })

  it('a failing run is reported and the schedule goes on; stop() ends it between runs', async () => {
    const clock = virtualClock(0)
    const stop = new AbortController()
    const failures: number[] = []
    const report = await runSchedule(
      [{ name: 'flaky', everySeconds: 5, run: async (t) => {
        if (t.n === 2) throw new Error('boom')
        if (t.n === 4) stop.abort()
        return t.n
      } }],
      { clock, signal: stop.signal, onRun: (r) => void (r.ok || failures.push(r.n)) },
    )
    expect(failures).toEqual([2])
    expect(report.runs.map((r) => [r.n, r.ok])).toEqual([[1, true], [2, false], [3, true], [4, true]])
    expect(report.stoppedBy).toBe('signal')
  })

  it('refuses an unbounded schedule, a bad interval, and a cron-only definition', async () => {
    await expect(runSchedule([{ name: 'x', everySeconds: 1, run: async () => {} }], {})).rejects.toMatchObject({ name: 'ScheduleError', code: 'SCHEDULE_UNBOUNDED' })
    await expect(runSchedule([{ name: 'x', everySeconds: 0, run: async () => {} }], { maxRuns: 1 })).rejects.toMatchObject({ code: 'SCHEDULE_INTERVAL' })
    const cronOnly = defineAgent({ name: 'nightly', schedule: { cron: '0 3 * * *' } })
    expect(() => jobsFromDefinitions([cronOnly], async () => {})).toThrow(/only a cron schedule/)
    expect(jobsFromDefinitions([cronOnly], async () => {}, { everySeconds: 60 })[0]!.everySeconds).toBe(60)
  })

  it("schedules the agents' own definitions (treasurer hourly) on the virtual clock", async () => {
    const clock = virtualClock(0)
    const treasurer = await loadAgent('treasurer')
    if (treasurer.kind !== 'model') throw new Error('treasurer is a model agent')
    const ran: number[] = []
    await runSchedule(jobsFromDefinitions([treasurer.definition], async (_def, t) => void ran.push(t.dueAt)), { clock, maxRuns: 3 })
    expect(ran).toEqual([0, 3_600_000, 7_200_000])
  })
})
