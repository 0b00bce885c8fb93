import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool, toOpenAITool, ToolDefinitionError, type AnyTool } from '../src/tools/defineTool.js'
import { runToolCall } from '../src/tools/runToolCall.js'
import { BaseError } from '../src/errors/BaseError.js'
import { createRateLimiter } from '../src/agent/rateLimiter.js'
import { createFailureBudget } from '../src/agent/failureBudget.js'
import { classify402 } from '../src/agent/keyLimit.js'
import { sameExpiry } from '../src/keys/verifyMintedKey.js'
import { createBalanceMonitor } from '../src/agent/balanceMonitor.js'
import { createFundingController } from '../src/agent/funding.js'
import { parseVeniceHeaders } from '../src/venice/headers.js'
import { mapBounded } from '../src/agent/util.js'

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers.',
  schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
  handler: ({ a, b }) => ({ sum: a + b }),
})

class VaultLockedError extends BaseError {
  override name = 'VaultLockedError' as const
}

describe('defineTool / runToolCall', () => {
  it('produces OpenAI tool JSON Schema with descriptions and required fields', () => {
    const t = toOpenAITool(add)
    expect(t).toMatchObject({ type: 'function', function: { name: 'add', description: 'Adds two numbers.' } })
    expect(t.function.parameters).toMatchObject({
      type: 'object',
      required: ['a', 'b'],
      properties: { a: { type: 'number', description: 'First addend' }, b: { type: 'number', description: 'Second addend' } },
    })
    expect(t.function.parameters).not.toHaveProperty('$schema')
  })
  it('refuses fields without .describe() and bad names', () => {
    expect(() => defineTool({ name: 'x', description: 'd', schema: z.object({ a: z.number() }), handler: () => 1 })).toThrow(ToolDefinitionError)
    expect(() => defineTool({ name: 'bad name', description: 'd', schema: z.object({}), handler: () => 1 })).toThrow(/Invalid tool name/)
  })
  it('turns unknown tools, bad JSON, bad arguments and handler errors into tool messages', async () => {
    const boom = defineTool({
      name: 'boom',
      description: 'fails',
      schema: z.object({}),
      handler: () => {
        throw new VaultLockedError('Vault is locked.', { code: 'VAULT_LOCKED' })
      },
    })
    const tools = new Map<string, AnyTool>([
      [add.name, add],
      [boom.name, boom],
    ])
    const ctx = { agent: 't' }
    expect(await runToolCall(tools, { id: '1', name: 'add', arguments: '{"a":1,"b":2}' }, ctx)).toMatchObject({ ok: true, content: '{"sum":3}' })
    const unknown = await runToolCall(tools, { id: '2', name: 'mul', arguments: '{}' }, ctx)
    expect(unknown).toMatchObject({ ok: false, error: 'unknown_tool' })
    expect(unknown.content).toContain('add, boom')
    expect(await runToolCall(tools, { id: '3', name: 'add', arguments: '{a:1' }, ctx)).toMatchObject({ ok: false, error: 'invalid_json' })
    const bad = await runToolCall(tools, { id: '4', name: 'add', arguments: '{"a":"one"}' }, ctx)
    expect(bad).toMatchObject({ ok: false, error: 'invalid_arguments' })
    expect(bad.content).toMatch(/a[\s\S]*expected number[\s\S]*b/)
    const failed = await runToolCall(tools, { id: '5', name: 'boom', arguments: '' }, ctx)
    expect(failed).toMatchObject({ ok: false, error: 'handler_error', content: 'Error: boom failed: Vault is locked. (code VAULT_LOCKED)' })
  })
  it('mapBounded keeps order and never exceeds the bound', async () => {
    let active = 0
    let peak = 0
    const out = await mapBounded([5, 1, 3, 2, 4], 2, async (n) => {
      active++
      peak = Math.max(peak, active)
      await new Promise((r) => setTimeout(r, n))
      active--
      return n * 10
    })
    expect(out).toEqual([50, 10, 30, 20, 40])
    expect(peak).toBe(2)
  })
})

/** A fake clock whose sleeps resolve when time is advanced. */
function fakeClock(start = 1_000_000) {
  let t = start
  const timers: Array<{ at: number; resolve: () => void }> = []
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + ms, resolve })),
    async advance(ms: number) {
      t += ms
      for (const x of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(x), 1)
        x.resolve()
      }
      await new Promise((r) => setImmediate(r))
    },
  }
}
const tick = () => new Promise((r) => setImmediate(r))
const hdr = (remaining: number, resetSec: number, limit = 3) =>
  parseVeniceHeaders(
    new Headers({
      'x-ratelimit-limit-requests': String(limit),
      'x-ratelimit-remaining-requests': String(remaining),
      'x-ratelimit-reset-requests': String(resetSec),
    }),
  )

describe('rate limiter', () => {
  it('probes once, then grants exactly what the window allows, then waits for the reset', async () => {
    const clock = fakeClock(1_000_000)
    const limiter = createRateLimiter({ clock })
    const granted: number[] = []
    const waiters = Array.from({ length: 6 }, (_, i) => limiter.acquire().then((t) => (granted.push(i), t)))
    await tick()
    expect(granted).toEqual([0]) // one probe before any header
    const first = await waiters[0]!
    first.done(hdr(2, 1060), 200) // window resets at t=1_060_000
    await tick()
    await tick()
    expect(granted).toHaveLength(3) // 2 remaining
    ;(await waiters[1]!).done(hdr(1, 1060), 200)
    ;(await waiters[2]!).done(hdr(0, 1060), 200)
    await clock.advance(59_000)
    expect(granted).toHaveLength(3)
    await clock.advance(1_100)
    await tick()
    // New window: it opens with remaining + 1 of the last window's first answer (3), read from `remaining` alone.
    expect(granted).toHaveLength(6)
    expect(limiter.stats().granted).toBe(6)
  })
  it('never reads x-ratelimit-limit-requests: "requests made so far" does not throttle, a learned limit opens each window', async () => {
    const clock = fakeClock(5_000_000)
    const limiter = createRateLimiter({ clock })
    const granted: number[] = []
    const waiters = Array.from({ length: 12 }, (_, i) => limiter.acquire().then((t) => (granted.push(i), t)))
    await tick()
    // The rate-limiting page's meaning: limit-requests = 1 request made; 19 remain of 20.
    ;(await waiters[0]!).done(hdr(19, 5060, 1), 200)
    await tick()
    await tick()
    expect(granted).toHaveLength(12)
    for (const w of waiters.slice(1)) (await w).done(hdr(8, 5060, 12), 200)
    limiter.setLimit(20)
    await clock.advance(60_100)
    const next = Array.from({ length: 20 }, () => limiter.acquire())
    await tick()
    await tick()
    expect(limiter.stats().granted).toBe(32) // the learned 20 at once, no probe
    void next
  })
  it('one failure budget per account: failures on one key hold back every key of the wallet', async () => {
    const clock = fakeClock(6_000_000)
    const budget = createFailureBudget()
    const a = createRateLimiter({ clock, initialLimit: 100, failureBudget: budget })
    const b = createRateLimiter({ clock, initialLimit: 100, failureBudget: budget })
    for (let i = 0; i < 8; i++) (await a.acquire()).done(undefined, 500)
    for (let i = 0; i < 7; i++) (await b.acquire()).done(undefined, 402)
    let got = false
    void a.acquire().then(() => (got = true))
    await tick()
    expect(got).toBe(false)
    await clock.advance(30_100)
    await tick()
    expect(got).toBe(true)
  })
  it('after a 429 holds everyone until x-ratelimit-reset-requests', async () => {
    const clock = fakeClock(2_000_000)
    const limiter = createRateLimiter({ clock, initialLimit: 5 })
    const t1 = await limiter.acquire()
    t1.done(
      parseVeniceHeaders(new Headers({ 'x-ratelimit-limit-requests': '5', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2010' })),
      429,
    )
    let got = false
    void limiter.acquire().then(() => (got = true))
    await clock.advance(9_000)
    expect(got).toBe(false)
    await clock.advance(1_100)
    await tick()
    expect(got).toBe(true)
    expect(limiter.stats().rateLimited).toBe(1)
  })
  it('a new window counts requests still in flight: it opens with the limit minus them', async () => {
    const clock = fakeClock(7_000_000)
    const limiter = createRateLimiter({ clock, initialLimit: 5 })
    const late = await limiter.acquire() // sent at the end of a window, still unanswered
    const t = await limiter.acquire()
    t.done(hdr(3, 7001, 5), 200)
    await clock.advance(1_100)
    const granted: number[] = []
    for (let i = 0; i < 5; i++) void limiter.acquire().then(() => granted.push(i))
    await tick()
    await tick()
    expect(granted).toHaveLength(4) // 5 − the one in flight
    late.done(hdr(2, 7061, 5), 200)
    expect(limiter.stats().rateLimited).toBe(0)
  })
  it('stays under the failure breaker: pauses after 15 failures in 30 s', async () => {
    const clock = fakeClock(3_000_000)
    const limiter = createRateLimiter({ clock, initialLimit: 100 })
    for (let i = 0; i < 15; i++) (await limiter.acquire()).done(undefined, 500)
    let got = false
    void limiter.acquire().then(() => (got = true))
    await tick()
    expect(got).toBe(false)
    await clock.advance(30_100)
    await tick()
    expect(got).toBe(true)
  })
})

describe('balance monitor and funding', () => {
  it('computes burn rate and runway, and emits low → critical → exhausted once each', async () => {
    let t = 0
    const monitor = createBalanceMonitor({ now: () => t, lowRunwayHours: 10, criticalRunwayHours: 2 })
    const seen: string[] = []
    for (const e of ['low', 'critical', 'exhausted'] as const) monitor.on(e, () => seen.push(e))
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '10', 'x-venice-balance-usd': '0' })))
    t = 3_600_000
    monitor.recordSpend(0.5) // 0.5 Diem/h → 19 h runway
    const s1 = monitor.snapshot()
    expect(s1).toMatchObject({ spendable: 9.5, level: 'ok' })
    expect(s1.burnPerHour).toBeCloseTo(0.5, 9)
    expect(s1.runwayHours).toBeCloseTo(19, 9)
    monitor.recordSpend(5) // 5.5/h, 4.5 left → ~0.8 h: crosses low and critical at once
    expect(seen).toEqual(['low', 'critical'])
    expect(monitor.snapshot().level).toBe('critical')
    monitor.recordSpend(1)
    expect(monitor.snapshot().runwayHours).toBeCloseTo(3.5 / 6.5, 5)
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '0' })), 402)
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '0' })), 402)
    expect(seen).toEqual(['low', 'critical', 'exhausted'])
  })
  it('a key at its own limit shows spendable 0 but is no reason to buy Diem: levels follow the account', () => {
    let t = 0
    const monitor = createBalanceMonitor({ now: () => t, lowRunwayHours: 24, keyLimitRemaining: 0.001 })
    const seen: string[] = []
    for (const e of ['low', 'critical', 'exhausted'] as const) monitor.on(e, () => seen.push(e))
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '100', 'x-venice-balance-usd': '0' })))
    t = 60_000
    monitor.recordSpend(0.001)
    const s = monitor.snapshot()
    expect(s.spendable).toBeCloseTo(0, 12) // min(key limit left, account): the status model's figure
    expect(s.runwayHours).toBe(0)
    expect(s.accountRunwayHours).toBeCloseTo((100 - 0.001) / 0.001, 6) // what a top-up could lengthen
    expect(s.level).toBe('ok')
    expect(seen).toEqual([])
  })
  it('caps spendable by the key limit and fires keyExpiring and epochReset', async () => {
    let t = Date.parse('2026-08-01T20:00:00Z')
    const monitor = createBalanceMonitor({
      now: () => t,
      keyLimitRemaining: 2,
      keyExpiringHours: 12,
      fetchRateLimits: async () => ({
        accessPermitted: true,
        apiTier: { id: 'paid', isCharged: true },
        balances: { DIEM: 50, USD: 1 },
        keyExpiration: '2026-08-02T06:00:00Z',
        nextEpochBegins: '2026-08-02T00:00:00Z',
        rateLimits: [],
      }),
    })
    const seen: string[] = []
    monitor.on('keyExpiring', (s) => seen.push(`expiring:${s.expiresInHours}`))
    monitor.on('epochReset', () => seen.push('epoch'))
    await monitor.refresh()
    expect(monitor.snapshot().spendable).toBe(2)
    expect(seen).toEqual(['expiring:10'])
    t = Date.parse('2026-08-02T00:00:01Z')
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '50' })))
    await tick()
    await tick()
    expect(seen).toEqual(['expiring:10', 'epoch'])
  })
  it('tops up when runway is low, shares one attempt between concurrent triggers, keeps no window of its own, and reports refusals', async () => {
    let t = 0
    const monitor = createBalanceMonitor({ now: () => t, lowRunwayHours: 24 })
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '1' })))
    const calls: string[] = []
    let refuse = false
    const funding = createFundingController({
      monitor,
      policy: { minRunwayHours: 24 },
      now: () => t,
      topUp: async (r) => (
        calls.push(r.reason), refuse ? { ok: false, refusal: 'Swap of 100 ETH exceeds the 0.05 ETH cap.' } : { ok: true, summary: 'staked' }
      ),
    })
    funding.attach()
    expect(await funding.maybeTopUp('runway')).toEqual({ action: 'not_needed' })
    t = 60_000
    monitor.recordSpend(0.5) // runway 1 h → low → attached handler tops up
    await tick()
    expect(calls).toEqual(['runway'])
    // Two 402s at once: one attempt between them.
    const [a, b] = await Promise.all([funding.maybeTopUp('402', { force: true }), funding.maybeTopUp('402', { force: true })])
    expect(a).toEqual({ action: 'topped_up', summary: 'staked' })
    expect(b).toBe(a)
    expect(calls).toEqual(['runway', '402'])
    // The funding window is the top-up's (the wallet's journal, under its lock): the controller asks, and reports a refusal.
    refuse = true
    expect(await funding.maybeTopUp('402', { force: true })).toEqual({ action: 'refused', refusal: 'Swap of 100 ETH exceeds the 0.05 ETH cap.' })
    expect(calls).toEqual(['runway', '402', '402'])
  })
})

describe('what a 402 means (data first, the message is a hint)', () => {
  const limited = { limit: { diem: 1, usd: null }, period: 'EPOCH' }
  it('a key at its own limit is the key, whatever the wording; an empty account is the account', () => {
    expect(classify402({ balanceDiem: 3, balanceUsd: 0, message: 'Payment required', key: { ...limited, used: { diem: 1, usd: 0 } } }).cause).toBe('key_limit')
    expect(classify402({ balanceDiem: 3, balanceUsd: 0, message: 'Payment required', key: limited }).cause).toBe('key_limit')
    expect(
      classify402({ balanceDiem: 0, balanceUsd: 0, message: 'API key DIEM spend limit exceeded', key: { ...limited, used: { diem: 0.2, usd: 0 } } }).cause,
    ).toBe('account')
    expect(classify402({ balanceDiem: 0, balanceUsd: 0, message: 'whatever', key: { limit: { diem: null, usd: null } } }).cause).toBe('account')
  })
  it('anything unexplained is not the account: no top-up', () => {
    expect(classify402({ balanceDiem: 5, balanceUsd: 0, message: 'Insufficient balance', key: { limit: { diem: null, usd: null } } }).cause).toBe('unknown')
    expect(classify402({ balanceDiem: undefined, balanceUsd: undefined, message: 'Insufficient balance', key: limited }).cause).toBe('unknown')
    expect(classify402({ balanceDiem: undefined, balanceUsd: undefined, message: 'Spending cap for this credential reached', key: limited }).cause).toBe(
      'key_limit',
    )
  })
})

describe('expiry read-back', () => {
  it('compares a date-only expiry at day resolution and an instant to the second', () => {
    for (const got of ['2026-12-31T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '2026-12-31T08:00:00.000Z', '2026-12-30T10:00:00.000Z'])
      expect(sameExpiry('2026-12-31', got)).toBe(true)
    for (const got of ['2027-01-02T00:00:00.000Z', '2026-12-29T00:00:00.000Z', null]) expect(sameExpiry('2026-12-31', got)).toBe(false)
    expect(sameExpiry('2026-12-31T10:00:00Z', '2026-12-31T10:00:00.000Z')).toBe(true)
    expect(sameExpiry('2026-12-31T10:00:00Z', '2026-12-31T10:00:01.000Z')).toBe(false)
    expect(sameExpiry(null, null)).toBe(true)
  })
})

describe('get_runway and the epoch reset', () => {
  it('says when Diem resets and whether the balance runs dry first', async () => {
    const { createBalanceMonitor } = await import('../src/agent/balanceMonitor.js')
    const { runwayTool } = await import('../src/tools/builtin/wallet.js')
    const now = Date.parse('2026-11-30T20:00:00Z')
    const monitor = createBalanceMonitor({ now: () => now })
    const tool = runwayTool({ monitor, now: () => now })
    // 1.5 Diem, then 0.5 spent just now (0.5 Diem/h: the status model counts at least an hour): 1 left is dry before
    // the reset at midnight, 4 h away.
    monitor.observeHeaders({ balanceDiem: 1.5 } as never, 200)
    monitor.recordSpend(0.5)
    const dry = await tool.handler({}, {} as never)
    expect(dry).toMatchObject({ balanceDiem: 1, resetsInHours: 4, emptiesBeforeReset: true })
    expect(dry.runwayHours).toBeCloseTo(1 / Number(dry.burnPerHour), 5)
    // 200 Diem at the same burn outlast the reset.
    monitor.observeHeaders({ balanceDiem: 200 } as never, 200)
    const lasts = await tool.handler({}, {} as never)
    expect(lasts).toMatchObject({ resetsInHours: 4, emptiesBeforeReset: false })
    expect(lasts.runwayHours).toBeGreaterThan(4)
  })
})
