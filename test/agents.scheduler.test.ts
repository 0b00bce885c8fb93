import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LimiterClock } from '../src/agent/rateLimiter.js'
import { agentDefinitionSchema, defineAgent, InvalidCronError, type AgentDefinitionInput } from '../src/agent/defineAgent.js'
import { jobsFromDefinitions, runSchedule } from '../src/host/scheduler.js'
import { loadAgent } from '../src/registry/index.js'

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
        signal?.addEventListener(
          'abort',
          () => {
            sleepers.splice(sleepers.indexOf(sleeper), 1)
            reject(signal.reason)
          },
          { once: true },
        )
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
      [
        {
          name: 'slow',
          everySeconds: 10,
          run: async () => {
            running++
            maxRunning = Math.max(maxRunning, running)
            clock.t += 25_000 // takes 2.5 intervals
            running--
          },
        },
      ],
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
      [
        {
          name: 'flaky',
          everySeconds: 5,
          run: async (t) => {
            if (t.n === 2) throw new Error('boom')
            if (t.n === 4) stop.abort()
            return t.n
          },
        },
      ],
      { clock, signal: stop.signal, onRun: (r) => void (r.ok || failures.push(r.n)) },
    )
    expect(failures).toEqual([2])
    expect(report.runs.map((r) => [r.n, r.ok])).toEqual([
      [1, true],
      [2, false],
      [3, true],
      [4, true],
    ])
    expect(report.stoppedBy).toBe('signal')
  })

  it('refuses an unbounded schedule, a bad interval, a job with both timings, and a definition with no schedule', async () => {
    await expect(runSchedule([{ name: 'x', everySeconds: 1, run: async () => {} }], {})).rejects.toMatchObject({
      name: 'ScheduleError',
      code: 'SCHEDULE_UNBOUNDED',
    })
    await expect(runSchedule([{ name: 'x', everySeconds: 0, run: async () => {} }], { maxRuns: 1 })).rejects.toMatchObject({ code: 'SCHEDULE_INTERVAL' })
    await expect(runSchedule([{ name: 'x', run: async () => {} }], { maxRuns: 1 })).rejects.toMatchObject({ code: 'SCHEDULE_INTERVAL' })
    await expect(runSchedule([{ name: 'x', everySeconds: 60, cron: '* * * * *', run: async () => {} }], { maxRuns: 1 })).rejects.toMatchObject({
      code: 'SCHEDULE_AMBIGUOUS',
    })
    expect(() => jobsFromDefinitions([defineAgent({ name: 'idle' })], async () => {})).toThrow(
      expect.objectContaining({ name: 'ScheduleError', code: 'SCHEDULE_MISSING' }),
    )
    const nightly = defineAgent({ name: 'nightly', schedule: { cron: '0 3 * * *' } })
    const [cronJob] = jobsFromDefinitions([nightly], async () => {})
    expect([cronJob?.name, cronJob?.cron, cronJob?.everySeconds]).toEqual(['nightly', '0 3 * * *', undefined])
    const [overridden] = jobsFromDefinitions([nightly], async () => {}, { everySeconds: 60 })
    expect([overridden?.everySeconds, overridden?.cron]).toEqual([60, undefined])
  })

  it("schedules the agents' own definitions (treasurer hourly) on the virtual clock", async () => {
    const clock = virtualClock(0)
    const treasurer = await loadAgent('treasurer')
    if (treasurer.kind !== 'model') throw new Error('treasurer is a model agent')
    const ran: number[] = []
    await runSchedule(
      jobsFromDefinitions([treasurer.definition], async (_def, t) => void ran.push(t.dueAt)),
      { clock, maxRuns: 3 },
    )
    expect(ran).toEqual([0, 3_600_000, 7_200_000])
  })
})

const T0 = Date.UTC(2025, 0, 1) // 2025-01-01T00:00:00Z, a Wednesday
const MIN = 60_000
const iso = (ms: number) => new Date(ms).toISOString()

describe('scheduler: cron jobs (virtual clock)', () => {
  it('*/15 over an hour runs at :00, :15, :30, :45 (a match at the start counts), each started when due', async () => {
    const clock = virtualClock(T0)
    const report = await runSchedule([{ name: 'quarterly', cron: '*/15 * * * *', run: async () => {} }], { clock, until: T0 + 60 * MIN - 1 })
    expect(report.runs.map((r) => (r.dueAt - T0) / MIN)).toEqual([0, 15, 30, 45])
    expect(report.runs.map((r) => r.startedAt)).toEqual(report.runs.map((r) => r.dueAt))
    expect(report.stoppedBy).toBe('until')
  })

  it('"5 0 * * *" across two days runs twice, at 00:05 UTC; the shipped diem-autopilot-agent is on that cron', async () => {
    const clock = virtualClock(T0 + 12 * 60 * MIN)
    const report = await runSchedule([{ name: 'daily', cron: '5 0 * * *', run: async () => {} }], { clock, until: T0 + 3 * 24 * 60 * MIN - 1 })
    expect(report.runs.map((r) => iso(r.dueAt))).toEqual(['2025-01-02T00:05:00.000Z', '2025-01-03T00:05:00.000Z'])

    const agent = await loadAgent('diem-autopilot-agent')
    if (agent.kind !== 'model') throw new Error('diem-autopilot-agent is a model agent')
    const ran: string[] = []
    await runSchedule(
      jobsFromDefinitions([agent.definition], async (_def, t) => void ran.push(iso(t.dueAt))),
      { clock: virtualClock(T0 + 60 * MIN), maxRuns: 2 },
    )
    expect(ran).toEqual(['2025-01-02T00:05:00.000Z', '2025-01-03T00:05:00.000Z'])
  })

  it('reads the expression in schedule.timezone when set (09:00 Berlin is 08:00 UTC in winter)', async () => {
    const def = defineAgent({ name: 'morning', schedule: { cron: '0 9 * * *', timezone: 'Europe/Berlin' } })
    const ran: string[] = []
    await runSchedule(
      jobsFromDefinitions([def], async (_d, t) => void ran.push(iso(t.dueAt))),
      { clock: virtualClock(T0), maxRuns: 2 },
    )
    expect(ran).toEqual(['2025-01-01T08:00:00.000Z', '2025-01-02T08:00:00.000Z'])
  })

  it('mixes interval and cron jobs on one timeline; a failed cron run is reported and the cron goes on', async () => {
    const clock = virtualClock(T0)
    const seen: string[] = []
    const report = await runSchedule(
      [
        { name: 'every10m', everySeconds: 600, run: async (t) => void seen.push(`every10m@${(t.dueAt - T0) / MIN}`) },
        {
          name: 'cron15m',
          cron: '*/15 * * * *',
          run: async (t) => {
            seen.push(`cron15m@${(t.dueAt - T0) / MIN}`)
            if (t.n === 2) throw new Error('boom')
          },
        },
      ],
      { clock, until: T0 + 45 * MIN },
    )
    expect(seen.filter((s) => s.startsWith('every10m'))).toEqual(['every10m@0', 'every10m@10', 'every10m@20', 'every10m@30', 'every10m@40'])
    expect(seen.filter((s) => s.startsWith('cron15m'))).toEqual(['cron15m@0', 'cron15m@15', 'cron15m@30', 'cron15m@45'])
    // One consistent timeline: runs start in due order across jobs.
    const dueOrder = [...report.runs].sort((a, b) => a.startedAt - b.startedAt).map((r) => r.dueAt)
    expect(dueOrder).toEqual([...dueOrder].sort((a, b) => a - b))
    expect(report.runs.filter((r) => !r.ok).map((r) => [r.job, r.n, (r.error as Error).message])).toEqual([['cron15m', 2, 'boom']])
  })

  it('a slow cron run skips the missed matches instead of piling up; a run ending exactly on a match does not skip it', async () => {
    const clock = virtualClock(T0)
    let running = 0
    let maxRunning = 0
    const slow = await runSchedule(
      [
        {
          name: 'slow',
          cron: '*/15 * * * *',
          run: async () => {
            maxRunning = Math.max(maxRunning, ++running)
            clock.t += 20 * MIN
            running--
          },
        },
      ],
      { clock, maxRuns: 3 },
    )
    expect(slow.runs.map((r) => (r.dueAt - T0) / MIN)).toEqual([0, 30, 60])
    expect(slow.runs.map((r) => r.skippedSlots)).toEqual([1, 1, 1])
    expect(maxRunning).toBe(1)

    const clock2 = virtualClock(T0)
    const exact = await runSchedule([{ name: 'exact', cron: '*/15 * * * *', run: async () => void (clock2.t += 15 * MIN) }], { clock: clock2, maxRuns: 3 })
    expect(exact.runs.map((r) => [(r.dueAt - T0) / MIN, r.skippedSlots])).toEqual([
      [0, 0],
      [15, 0],
      [30, 0],
    ])
  })

  it('catch-up: a cron slot missed before the start runs once at the start; one missed by a slow run runs once right after; never twice', async () => {
    // Started at 09:00 UTC; the 00:05 slot of today has no run since yesterday: one catch-up now, then 00:05 tomorrow.
    const clock = virtualClock(T0 + 9 * 60 * MIN)
    const ticks: [string, boolean][] = []
    const daily = (lastRunAt: number | undefined) => ({
      name: 'daily',
      cron: '5 0 * * *',
      catchUp: { lastRunAt: () => lastRunAt },
      run: async (t: { dueAt: number; catchUp: boolean }) => void ticks.push([iso(t.dueAt), t.catchUp]),
    })
    await runSchedule([daily(T0 - 23 * 60 * MIN)], { clock, maxRuns: 2 })
    expect(ticks).toEqual([
      ['2025-01-01T09:00:00.000Z', true],
      ['2025-01-02T00:05:00.000Z', false],
    ])

    // Already ran after today's slot (or no catchUp at all): nothing extra.
    ticks.length = 0
    await runSchedule([daily(T0 + 6 * MIN)], { clock: virtualClock(T0 + 9 * 60 * MIN), maxRuns: 1 })
    expect(ticks).toEqual([['2025-01-02T00:05:00.000Z', false]])
    ticks.length = 0
    await runSchedule([daily(undefined)], { clock: virtualClock(T0 + 9 * 60 * MIN), maxRuns: 1 })
    expect(ticks).toEqual([['2025-01-01T09:00:00.000Z', true]]) // never ran: catch up

    // A run that outlasts two slots: one catch-up right after it, then the schedule resumes.
    const c = virtualClock(T0)
    const slow = await runSchedule([{ name: 'q', cron: '*/15 * * * *', catchUp: {}, run: async (t) => void (t.n === 1 && (c.t += 40 * MIN)) }], {
      clock: c,
      maxRuns: 3,
    })
    expect(slow.runs.map((r) => [(r.dueAt - T0) / MIN, r.catchUp, r.skippedSlots])).toEqual([
      [0, false, 2],
      [40, true, 0],
      [45, false, 0],
    ])
  })

  it('stops a cron job with the signal while it waits for its next match', async () => {
    const clock = virtualClock(T0)
    const stop = new AbortController()
    const report = await runSchedule([{ name: 'hourly', cron: '0 * * * *', run: async (t) => void (t.n === 2 && stop.abort()) }], {
      clock,
      signal: stop.signal,
    })
    expect(report.runs.map((r) => (r.dueAt - T0) / MIN)).toEqual([0, 60])
    expect(report.stoppedBy).toBe('signal')
  })
})

describe('cron validation', () => {
  const bad: Array<[string, string | undefined, RegExp]> = [
    ['61 * * * *', undefined, /invalid cron schedule "61 \* \* \* \*".*59/],
    ['* * *', undefined, /expected 5 fields, got 3/],
    ['0 0 3 * * *', undefined, /expected 5 fields, got 6/],
    ['0 0 30 2 *', undefined, /"0 0 30 2 \*"/],
    ['every day', undefined, /expected 5 fields, got 2/],
    ['0 3 * * *', 'Nowhere/City', /unknown time zone "Nowhere\/City"/],
  ]

  it.each(bad)('defineAgent rejects %j (tz %s) with an InvalidCronError naming the agent and the expression', (cron, timezone, message) => {
    let thrown: unknown
    try {
      defineAgent({ name: 'nightly', schedule: { cron, timezone } })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(InvalidCronError)
    expect(thrown).toMatchObject({ name: 'InvalidCronError', code: 'AGENT_INVALID_CRON', agent: 'nightly', expression: cron })
    expect((thrown as InvalidCronError).shortMessage).toMatch(/^Agent "nightly" has an invalid cron schedule/)
    expect((thrown as InvalidCronError).shortMessage).toMatch(message)
  })

  it('the schema reports it too (JSON agents): loadAgent fails with the agent, the field and the expression', async () => {
    const raw: AgentDefinitionInput = { name: 'nightly', schedule: { cron: '0 25 * * *' } }
    const parsed = agentDefinitionSchema.safeParse(raw)
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['schedule', 'cron'],
      message: expect.stringMatching(/Agent "nightly" has an invalid cron schedule "0 25 \* \* \*"/),
    })
    const file = join(await mkdtemp(join(tmpdir(), 'gondola-cron-')), 'nightly.json')
    await writeFile(file, JSON.stringify(raw))
    await expect(loadAgent(file)).rejects.toMatchObject({
      name: 'AgentDefinitionError',
      code: 'AGENT_INVALID',
      shortMessage: expect.stringMatching(/schedule\.cron: Agent "nightly" has an invalid cron schedule "0 25 \* \* \*"/),
    })
  })

  it('rejects both timings, or a timezone without a cron; accepts ranges, lists, steps and names', () => {
    expect(agentDefinitionSchema.safeParse({ name: 'x', schedule: { everySeconds: 60, cron: '* * * * *' } }).error?.issues[0]?.message).toMatch(/not both/)
    expect(agentDefinitionSchema.safeParse({ name: 'x', schedule: { everySeconds: 60, timezone: 'UTC' } }).error?.issues[0]?.message).toMatch(
      /only applies to schedule.cron/,
    )
    for (const cron of ['0 9-17/2 * * mon-fri', '30 4 1,15 * *', '0 0 * jan,jul sun', '0 0 29 2 *'])
      expect(defineAgent({ name: 'x', schedule: { cron } }).schedule?.cron).toBe(cron)
  })

  it('runSchedule refuses a raw job with a bad cron before running anything', async () => {
    let ran = false
    await expect(runSchedule([{ name: 'raw', cron: '* * * * * * *', run: async () => void (ran = true) }], { maxRuns: 1 })).rejects.toMatchObject({
      name: 'InvalidCronError',
      agent: 'raw',
    })
    expect(ran).toBe(false)
  })
})
