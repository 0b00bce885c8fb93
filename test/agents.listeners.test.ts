import { getEventListeners } from 'node:events'
import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { callModel } from '../src/agent/callModel.js'
import { createRateLimiter } from '../src/agent/rateLimiter.js'
import type { VeniceHeaders } from '../src/venice/headers.js'
import { runSchedule } from '../src/host/scheduler.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { useEmulator } from './helpers/useEmulator.js'

const OWNER: Address = '0x00000000000000000000000000000000000115e2'
const emulator = useEmulator({ stakes: { [OWNER]: { svvv: 10n ** 18n } }, dailyPoolDiem: 1e9 })

describe('a long-lived stop signal collects no listeners (issue #26: MaxListenersExceededWarning)', () => {
  it('12 scheduled runs, each a real chat call on the run signal (as `gondola run --every 0.5 --runs 12`), leave no abort listener and no warning', async () => {
    const { apiKey } = emulator().createKey(OWNER)
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey })
    const warnings: Error[] = []
    const onWarning = (w: Error) => void (w.name === 'MaxListenersExceededWarning' && warnings.push(w))
    process.on('warning', onWarning)
    const stop = new AbortController()
    let runSignal: AbortSignal | undefined
    try {
      const report = await runSchedule(
        [
          {
            name: 'ticker',
            everySeconds: 0.02,
            run: async (tick) => {
              runSignal = tick.signal
              // Two calls per run, like an agent run with a tool step.
              for (let i = 0; i < 2; i++)
                await callModel({ openai: venice.openai }, { model: 'qwen3-4b', messages: [{ role: 'user', content: `run ${tick.n}.${i}` }] }, tick.signal)
            },
          },
        ],
        { maxRuns: 12, signal: stop.signal },
      )
      expect(report.runs).toHaveLength(12)
      expect(report.runs.every((r) => r.ok)).toBe(true)
      // The openai SDK adds an abort listener to the signal it is given and never removes it: before the fix,
      // the scheduler's signal held one per call (24 here) and Node warned at the 11th.
      expect(getEventListeners(runSignal!, 'abort')).toHaveLength(0)
      await new Promise((r) => setImmediate(r))
      expect(warnings).toEqual([])
      // Still stoppable: aborting the caller's signal reaches a call in flight.
      const inFlight = callModel({ openai: venice.openai }, { model: 'qwen3-4b', messages: [{ role: 'user', content: 'late' }] }, stop.signal)
      stop.abort(new Error('stop'))
      await expect(inFlight).rejects.toBeDefined()
    } finally {
      process.off('warning', onWarning)
    }
  })

  it("a limiter wait cut short by news (a new window) leaves no listener on the caller's signal", async () => {
    const limiter = createRateLimiter({ initialLimit: 1 })
    const stop = new AbortController()
    const h = (remaining: number, resetInMs: number) => ({ remainingRequests: remaining, resetRequestsAtMs: Date.now() + resetInMs }) as VeniceHeaders
    let reset = 60_000
    limiter.acquire(stop.signal).then((t) => t.done(h(0, reset), 200))
    await new Promise((r) => setImmediate(r))
    for (let i = 0; i < 12; i++) {
      // The window is spent until `reset` (a minute away): the next caller sleeps toward it...
      const waiting = limiter.acquire(stop.signal)
      await new Promise((r) => setImmediate(r))
      // ...until headers announce a later window with room in it, which wakes it at once.
      reset += 60_000
      limiter.observe(h(1, reset), 200)
      const ticket = await waiting
      ticket.done(h(0, reset), 200)
    }
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0)
  })
})
