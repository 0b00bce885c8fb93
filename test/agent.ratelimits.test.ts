/**
 * Issue 11 item 3: `x-ratelimit-limit-requests` has two documented meanings (the maximum; or the requests
 * made in the period). The limiter paces on `remaining` + `reset` only, so 50 agents on one 20 RPM key use
 * every allowed request without a single 429 under either meaning. Time is virtual: the emulator's clock
 * moves only when the client waits, so the count per window is exact, not a timing.
 */
import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { createRunner, type LimiterClock } from '../src/agent/index.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { useEmulator } from './helpers/useEmulator.js'

const OWNER: Address = '0x00000000000000000000000000000000005A7E50'
const START = Date.UTC(2026, 6, 1, 12, 0, 0)
const emulator = useEmulator({ clock: () => START, stakes: { [OWNER]: { svvv: 10n ** 18n } }, dailyPoolDiem: 1e9 })

/**
 * A discrete-event clock over the emulator's: sleepers wait in a queue; whenever nothing is in flight
 * (no HTTP request open, a few event-loop turns without news), time jumps to the earliest wake-up.
 */
function virtualTime() {
  const sleepers: Array<{ at: number; wake: () => void }> = []
  let inFlight = 0
  const clock: LimiterClock = {
    now: () => emulator().now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const entry = { at: emulator().now() + ms, wake: resolve }
        sleepers.push(entry)
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
      }),
  }
  const track: typeof fetch = async (input, init) => {
    inFlight++
    try {
      return await fetch(input, init)
    } finally {
      inFlight--
    }
  }
  let running = true
  const turn = () => new Promise((r) => setImmediate(r))
  const driver = (async () => {
    while (running) {
      let quiet = 0
      while (quiet < 5) {
        await turn()
        quiet = inFlight === 0 ? quiet + 1 : 0
        if (!running) return
      }
      if (!sleepers.length) continue
      sleepers.sort((x, y) => x.at - y.at)
      const at = sleepers[0]!.at
      if (emulator().now() < at) emulator().setClock(at)
      while (sleepers.length && sleepers[0]!.at <= at) sleepers.shift()!.wake()
    }
  })()
  return { clock, fetch: track, stop: async () => ((running = false), await driver) }
}

describe('50 agents on one 20 RPM key', () => {
  for (const [meaning, learned] of [
    ['limit', false],
    ['used', false],
    ['used', true],
  ] as const) {
    it(`uses 100 % of the allowed requests with 0 × 429 when x-ratelimit-limit-requests means "${meaning === 'limit' ? 'the maximum' : 'requests made'}"${learned ? ', limit learned from /api_keys/rate_limits' : ''}`, async () => {
      emulator().setVariants({ limitHeader: meaning })
      emulator().setRateLimits({ perModel: { 'qwen3-4b': { rpm: 20 } } })
      const { apiKey } = emulator().createKey(OWNER)
      const statuses: number[] = []
      const perWindow = new Map<number, number>()
      const counting = async (input: Parameters<typeof fetch>[0], _init: unknown, res: Response) => {
        if (String(input instanceof Request ? input.url : input).endsWith('/chat/completions')) {
          statuses.push(res.status)
          if (res.status === 200) {
            const minute = Math.floor(emulator().now() / 60_000)
            perWindow.set(minute, (perWindow.get(minute) ?? 0) + 1)
          }
        }
      }
      const time = virtualTime()
      const tracked: typeof fetch = (input, init) => time.fetch(input, init).then(async (res) => (await counting(input, init, res), res))
      const admin = learned
        ? createVeniceClient({ baseURL: emulator().baseURL, apiKey: emulator().createKey(OWNER, { apiKeyType: 'ADMIN' }).apiKey })
        : undefined
      const runner = createRunner({
        baseURL: emulator().baseURL,
        keys: [{ name: 'shared', apiKey }],
        clock: time.clock,
        fetch: tracked,
        ...(admin && { fetchRateLimits: () => admin.getRateLimits() }),
      })
      const first = Math.ceil(emulator().now() / 60_000) * 60_000
      emulator().setClock(first)
      const windows = 4
      const end = first + windows * 60_000
      try {
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            while (emulator().now() < end) expect((await runner.run({ agent: `a${i}`, prompt: 'hello', model: 'qwen3-4b' })).status).toBe('completed')
          }),
        )
      } finally {
        await time.stop()
        emulator().setVariants({})
        emulator().setRateLimits({})
      }
      expect(statuses.filter((s) => s === 429)).toEqual([])
      const counts = Array.from({ length: windows }, (_, w) => perWindow.get(first / 60_000 + w) ?? 0)
      expect(counts).toEqual(Array(windows).fill(20))
      expect(runner.key('shared')!.limiterFor('qwen3-4b').stats().rateLimited).toBe(0)
      expect(runner.key('shared')!.limiterFor('qwen3-4b').state().limit).toBe(learned ? 20 : undefined)
    })
  }
})
