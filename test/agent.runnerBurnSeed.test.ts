import { describe, expect, it } from 'vitest'
import { createRunner } from '../src/agent/runner.js'
import type { ApiKey, RateLimits } from '../src/venice/schemas.js'

// The runner starts each key's burn from the spend ledger (a new process rates burn as `gondola status` does). That
// burn must be rated against the account's balance, read at start too: the key's own limit only stands in for it
// until a balance is seen, and a key short only by its own limit is never a reason to buy Diem (issue #25's rule).
// No HTTP here: every read the runner makes at start is injected; nothing is called on the base URL.
const now = Date.now()
const limits: RateLimits = {
  accessPermitted: true,
  apiTier: { id: 'paid', isCharged: true },
  balances: { DIEM: 1000, USD: 0 },
  keyExpiration: null,
  nextEpochBegins: new Date(now + 3_600_000).toISOString(),
  rateLimits: [],
}
const record = {
  id: 'k1',
  apiKeyType: 'INFERENCE',
  description: 'agent treasurer',
  expiresAt: null,
  consumptionLimits: { diem: 0.5, usd: null },
  limitPeriod: 'EPOCH',
  createdAt: null,
  last6Chars: 'abcdef',
  lastUsedAt: null,
  currentPeriodUsage: { usd: '0.0000', diem: '0.0100' },
} as unknown as ApiKey
// 0.02 Diem in the last half hour: 0.02 Diem/h, so the key's own 0.49 Diem last 24.5 h, the account's 1,000 for years.
const ledger = [0, 1].map((i) => ({ agent: 'treasurer', ts: new Date(now - 1_800_000 + i * 60_000).toISOString(), costDiem: 0.01, costUsd: 0 }))

describe('a new process rates the ledger’s burn against the account (runner start-up)', () => {
  it('reads both at start, applies the burn after the balances: no top-up for a full account, get_runway has the burn', async () => {
    const topUps: string[] = []
    const runner = createRunner({
      baseURL: 'http://127.0.0.1:9/api/v1',
      keys: [{ name: 'treasurer', apiKey: 'unused', consumptionLimit: { diem: 0.5 }, limitPeriod: 'EPOCH' }],
      // The balances arrive after the ledger has been read.
      fetchRateLimits: () => new Promise((r) => setTimeout(() => r(limits), 50)),
      fetchKeyRecord: async () => record,
      readSpends: async () => ledger,
      funding: { minRunwayHours: 72 },
      topUp: async (request) => {
        topUps.push(request.reason)
        return { ok: true, summary: 'bought' }
      },
    })
    try {
      const services = runner.key('treasurer')!
      await services.prepare()
      await new Promise((r) => setTimeout(r, 100))
      const s = services.monitor.snapshot()
      expect(s.burnPerHour).toBeCloseTo(0.02, 9)
      expect(s.spendable).toBeCloseTo(0.49, 9)
      expect(s.runwayHours).toBeCloseTo(24.5, 6) // under the 72 h threshold: the key's own limit binds
      expect(s.accountRunwayHours).toBeGreaterThan(72)
      expect(s.level).toBe('ok')
      expect(topUps).toEqual([])
    } finally {
      runner.close()
    }
  })
})
