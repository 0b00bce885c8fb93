import { describe, expect, it, vi } from 'vitest'
import type { Address } from 'viem'
import { useEmulator } from './helpers/useEmulator.js'
import { createVeniceClient, listAllBillingUsage } from '../src/venice/index.js'
import { sleep } from '../src/util/sleep.js'
import { createLedger, createRunner, type LimiterClock } from '../src/agent/index.js'

// Emulated time runs 30× faster than real time (slow enough that a loaded 2-core machine cannot stall a window away), starting at noon UTC of today (so no run crosses an
// epoch boundary), so minute-long rate-limit windows pass in 2 s. Runner and emulator share
// this clock. Today is after /billing/usage's sunset: billing reads /billing/usage-history.
const SPEED = 30
const realStart = Date.now()
const START = realStart - (realStart % 86_400_000) + 12 * 3_600_000
const fastNow = () => START + (Date.now() - realStart) * SPEED

const CAROL: Address = '0x00000000000000000000000000000000000CA501'
const DAVE: Address = '0x0000000000000000000000000000000000000DA4'
const ERIN: Address = '0x00000000000000000000000000000000000E5140'
const emulator = useEmulator({ clock: fastNow, stakes: { [CAROL]: { svvv: 10n ** 18n }, [DAVE]: { svvv: 10n ** 18n }, [ERIN]: { svvv: 10n ** 18n } } })
const clock = (): LimiterClock => ({ now: () => emulator().now(), sleep: (ms, signal) => sleep(ms / SPEED, signal) })

describe('many agents in one process', () => {
  it('paces 12 agents on one key limited to 5 RPM without a single 429, and rides out a 429 storm', async () => {
    emulator().setRateLimits({ perModel: { 'qwen3-4b': { rpm: 5 } } })
    const { apiKey } = emulator().createKey(CAROL)
    const admin = emulator().createKey(CAROL, { apiKeyType: 'ADMIN' })
    const runner = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'shared', apiKey }], clock: clock() })
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => runner.run({ agent: `bot-${i}`, prompt: `hello ${i}`, model: 'qwen3-4b' })))
    expect(rs.map((r) => r.status)).toEqual(Array(12).fill('completed'))
    const limiter = runner.key('shared')!.limiterFor('qwen3-4b')
    expect(limiter.stats()).toMatchObject({ granted: 12, rateLimited: 0, failures: 0 })
    const adminClient = createVeniceClient({ baseURL: emulator().baseURL, apiKey: admin.apiKey })
    expect(await adminClient.getRateLimitLog()).toEqual([])

    // Now the server throws 429s at random on top of the pacing: every run still completes.
    emulator().setFaults({ rate429: 0.3, seed: 7 })
    const storm = await Promise.all(Array.from({ length: 8 }, (_, i) => runner.run({ agent: `storm-${i}`, prompt: 'hi', model: 'qwen3-4b' })))
    emulator().setFaults({})
    expect(storm.map((r) => r.status)).toEqual(Array(8).fill('completed'))
    expect(limiter.stats().rateLimited).toBeGreaterThan(0)
    emulator().setRateLimits({})
  })

  it('one key exhausted while the others continue; a run given two keys fails over', async () => {
    const tight = emulator().createKey(DAVE, { consumptionLimit: { diem: 0.0000001, usd: 0 } })
    const roomy = emulator().createKey(DAVE)
    const runner = createRunner({
      baseURL: emulator().baseURL,
      keys: [
        { name: 'tight', apiKey: tight.apiKey },
        { name: 'roomy', apiKey: roomy.apiKey },
      ],
      clock: clock(),
    })
    const [a, b] = await Promise.all([
      runner.run({ agent: 'a', prompt: 'x'.repeat(2000), model: 'qwen3-4b', key: 'tight' }),
      runner.run({ agent: 'b', prompt: 'hello', model: 'qwen3-4b', key: 'roomy' }),
    ])
    expect(b!.status).toBe('completed')
    // The first call fits under the tiny limit only if it costs less than it; either way the key ends exhausted.
    const again = a!.status === 'completed' ? await runner.run({ agent: 'a', prompt: 'again', model: 'qwen3-4b', key: 'tight' }) : a!
    expect(again.status).toBe('insufficient_balance')
    expect(again.error?.shortMessage).toMatch(/^402 /)
    // The account still has funds: the 402 is the key's own limit, so the key is set aside and nothing is topped up.
    expect(runner.key('tight')!.capped()).toBe(true)
    expect(runner.key('tight')!.monitor.snapshot().level).toBe('ok')
    const failover = await runner.run({ agent: 'c', prompt: 'hello', model: 'qwen3-4b', key: ['tight', 'roomy'] })
    expect(failover.status).toBe('completed')
    expect(runner.key('roomy')!.monitor.snapshot().level).toBe('ok')
  })

  it('rotates a key that hit its own limit or is about to expire, and the run continues', async () => {
    const capped = emulator().createKey(DAVE, { consumptionLimit: { diem: 0, usd: 0 } })
    const rotations: string[] = []
    const runner = createRunner({
      baseURL: emulator().baseURL,
      keys: [{ name: 'k', apiKey: capped.apiKey }],
      clock: clock(),
      rotateCooldownMs: 0,
      rotateKey: async ({ name, reason }) => {
        rotations.push(`${name}:${reason}`)
        // Stands in for the provisioner: the first replacement expires in 2 emulated hours, the next never.
        const expiresAt = rotations.length === 1 ? new Date(emulator().now() + 2 * 3_600_000).toISOString() : undefined
        return { apiKey: emulator().createKey(DAVE, { expiresAt }).apiKey, expiresAt }
      },
    })
    const r = await runner.run({ agent: 'r', prompt: 'hello', model: 'qwen3-4b' })
    expect(r.status).toBe('completed')
    expect(rotations[0]).toBe('k:limit')
    // The replacement expires in 2 h (< the 24 h warning): the monitor fires keyExpiring and the runner rotates again.
    await vi.waitFor(() => expect(rotations).toEqual(['k:limit', 'k:expiring']))
    await vi.waitFor(() => expect(runner.key('k')!.monitor.snapshot().keyExpiresAt).toBeUndefined())
    expect(rotations).toHaveLength(2)
    expect((await runner.run({ agent: 'r', prompt: 'hello', model: 'qwen3-4b' })).status).toBe('completed')
  })

  it("ledger totals equal the emulator's billing usage", async () => {
    const { apiKey } = emulator().createKey(ERIN)
    const admin = emulator().createKey(ERIN, { apiKeyType: 'ADMIN' })
    const ledger = createLedger()
    const runner = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'erin', apiKey }], ledger, clock: clock() })
    const rs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        runner.run({ agent: `l${i}`, prompt: `tell me about ${'topic '.repeat(i * 20)}`, model: i % 2 ? 'qwen3-4b' : 'default' }),
      ),
    )
    expect(rs.every((r) => r.status === 'completed')).toBe(true)
    const entries = await listAllBillingUsage(createVeniceClient({ baseURL: emulator().baseURL, apiKey: admin.apiKey }))
    const billed = entries.reduce((s, e) => s - e.amount, 0)
    const summary = ledger.summary()
    expect(summary.calls).toBe(6)
    expect(entries).toHaveLength(6)
    expect(summary.costDiem + summary.costUsd).toBeGreaterThan(0)
    expect(summary.costDiem + summary.costUsd).toBeCloseTo(billed, 9)
    expect(summary.promptTokens).toBe(entries.reduce((s, e) => s + (e.inferenceDetails?.promptTokens ?? 0), 0))
    // Same calls on both sides: each billed row names the completion the ledger recorded.
    expect(entries.map((e) => e.inferenceDetails?.requestId).sort()).toEqual(
      ledger
        .entries()
        .map((e) => e.completionId)
        .sort(),
    )
    // The legacy route is gone at this clock, so the totals above came from /billing/usage-history.
    expect((await fetch(`${emulator().baseURL}/billing/usage`, { headers: { authorization: `Bearer ${admin.apiKey}` } })).status).toBe(410)
  })
})
