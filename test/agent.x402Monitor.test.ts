import { describe, expect, it } from 'vitest'
import { createBalanceMonitor } from '../src/agent/balanceMonitor.js'
import { parseVeniceHeaders } from '../src/venice/headers.js'

// x402 credits reach the balance monitor as `X-Balance-Remaining`: what is left AFTER the call (Diem/USD headers are
// the balance before it). The call's own spend must count toward the burn once and never come off the balance again.
describe('the balance monitor on x402 credits', () => {
  it('a charged call: the header is the balance, the spend moves only the burn; a 402 leaves the next spend to debit', () => {
    let t = Date.parse('2026-12-05T12:00:00Z')
    const monitor = createBalanceMonitor({ now: () => t, lowRunwayHours: 24 })
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-balance-remaining': '4.9' })), 200)
    monitor.recordSpend(0.1)
    expect(monitor.snapshot()).toMatchObject({ balanceDiem: undefined, balanceUsd: 4.9, spendable: 4.9, burnPerHour: 0.1 })
    expect(monitor.snapshot().runwayHours).toBeCloseTo(49, 9)

    // The next call's spend without a new header (e.g. a streamed answer counted later) is debited.
    t += 60_000
    monitor.recordSpend(0.1)
    expect(monitor.snapshot().balanceUsd).toBeCloseTo(4.8, 9)

    // A 402 carries the balance that was too short: nothing was spent, so a later spend is debited from it. (The
    // runner's REST hook and the self-funding fetch pass a 402 with no status: only the chat path reads its cause.)
    monitor.observeHeaders(parseVeniceHeaders(new Headers({ 'x-balance-remaining': '0.05' })), undefined)
    monitor.recordSpend(0.01)
    expect(monitor.snapshot().balanceUsd).toBeCloseTo(0.04, 9)
  })
})
