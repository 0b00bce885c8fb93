import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { usageFromLedger } from '../src/autopilot/usage.js'
import { spendLine } from './helpers/spendLine.js'

describe('usageFromLedger: the compute an agent used, Diem per day', () => {
  it('counts a call paid in USD (x402 credits, or a key past its Diem) as much as one paid in Diem', () => {
    const now = Date.UTC(2026, 11, 5, 12)
    const lines = [spendLine('a', now - 3_600_000, 0.5), spendLine('a', now - 1_800_000, 0, 1.5), spendLine('b', now - 60_000, 0.2, 0.3)]
    expect(usageFromLedger(lines, { now, days: 7 })).toEqual({ diemPerDay: parseEther('2.5'), calls: 3, days: 1 })
    expect(usageFromLedger(lines, { now, days: 7, agent: 'a' }).diemPerDay).toBe(parseEther('2'))
  })
})
