import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { planMessage, type PlanStep } from '../src/autopilot/planner.js'

const step: PlanStep = {
  action: 'swapStakeMintDiem',
  amount: parseEther('0.01'),
  unit: 'ETH',
  ethCost: parseEther('0.0105'),
  gasEth: parseEther('0.0005'),
  svvvLocked: 0n,
  vvvOut: 0n,
  diemOut: 0n,
  diemPerDay: parseEther('0.1'),
  vvvForgonePerDay: 0n,
  reason: 'target',
}
const short = { target: parseEther('3'), before: parseEther('1'), after: parseEther('1.1'), reached: false, steps: [step] }

describe('what the autopilot says (issue #28 autopilot items 3 and 7)', () => {
  it('when the daily cap binds it says so and when it resets, never "add 0 ETH more"', () => {
    const at = Date.UTC(2026, 11, 5, 18, 48) // 18:48 UTC: 5 h 12 min to the reset
    const m = planMessage({ ...short, shortfall: { diemPerDay: parseEther('1.9'), eth: 0n, vvv: undefined, bound: 'dailyCap' } }, { now: at, poolKnown: true })
    expect(m).toMatch(/daily ETH cap binds: it resets at 00:00 UTC \(in 5 h 12 min\)/)
    expect(m).not.toMatch(/add 0 ETH/)
    // Beyond the cap, what more capital would do is still said.
    const more = planMessage(
      { ...short, shortfall: { diemPerDay: parseEther('1.9'), eth: parseEther('0.2'), vvv: parseEther('150'), bound: 'dailyCap' } },
      { now: at },
    )
    expect(more).toMatch(/Beyond the cap, add 0\.2 ETH more, or 150 VVV\./)
  })

  it('before the first pool observation, a plan that buys more than the target says why', () => {
    const reached = { target: parseEther('1'), before: 0n, after: parseEther('1.1'), reached: true, steps: [step], shortfall: undefined }
    expect(planMessage(reached, { poolKnown: false })).toMatch(/No pool observation yet, so the sVVV pool share is not counted/)
    expect(planMessage(reached, { poolKnown: true })).not.toMatch(/pool observation/)
  })
})
