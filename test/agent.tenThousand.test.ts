import { describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { createRunner } from '../src/agent/index.js'
import { countConnections as countSockets } from './helpers/countConnections.js'
import { useEmulator } from './helpers/useEmulator.js'

// The 10,000-agent run (e2e tier: `npm run test:e2e`). The rest of the pool's behaviour is in agent.connections.test.ts.
const OWNER: Address = '0x00000000000000000000000000000000000C0411'
const emulator = useEmulator({ stakes: { [OWNER]: { svvv: 10n ** 18n } }, dailyPoolDiem: 1e9 })
const countConnections = () => countSockets(emulator().server)

describe('connection bounding (one shared keep-alive pool per runner)', () => {
  it('runs 10,000 agents at once with 0 failures over at most `connections` sockets', async () => {
    emulator().setRateLimits({ global: { rpm: 1e9, tpm: 1e12, rpd: 1e12 } })
    const { apiKey } = emulator().createKey(OWNER)
    const connections = 16
    const runner = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'k', apiKey }], connections })
    const counter = countConnections()
    try {
      const results = await Promise.all(
        Array.from({ length: 10_000 }, (_, i) => runner.run({ agent: `a${i}`, prompt: `hello ${i}`, model: 'qwen3-4b', maxSteps: 1 })),
      )
      const failed = results.filter((r) => r.status !== 'completed')
      expect(failed.map((r) => r.error?.shortMessage)).toEqual([])
      expect(results.reduce((s, r) => s + r.steps, 0)).toBe(10_000)
      // The pool never had more than `connections` sockets open, and reused them (keep-alive): 10,000
      // requests over a handful of sockets (a socket dropped under load is replaced, so not exactly 16).
      expect(counter.seen.maxOpen).toBeGreaterThan(0)
      expect(counter.seen.maxOpen).toBeLessThanOrEqual(connections)
      expect(counter.seen.total).toBeLessThan(10 * connections)
    } finally {
      counter.stop()
      runner.close()
      emulator().setRateLimits({})
    }
  }, 600_000) // 10,000 real HTTP round trips; on a loaded shared machine this can take minutes
})
