import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import type { Market } from '../src/autopilot/market.js'
import type { Measurement } from '../src/autopilot/measure.js'
import { planToTarget } from '../src/autopilot/planner.js'

// The market is a boundary here (its live quotes are tested on the devnet in autopilot.plan.test.ts): a fixed
// price lets the planner's own choices be checked exactly. 1 ETH = 1,000 VVV; 100 sVVV mint 1 DIEM; 1 gwei gas.
const market = (ethRoom: bigint): Market => ({
  gasPrice: 10n ** 9n,
  ethRoom,
  ethBound: 'balance',
  maxEthPerSwap: parseEther('0.05'),
  gasReserve: parseEther('0.001'),
  vvvForEth: async (eth) => eth * 1000n,
  diemForSvvv: async (svvv) => svvv / 100n,
  ethPerVvv: 10n ** 15n,
})

const measurement = (o: { vvv?: bigint; unlockedSvvv?: bigint; rewards?: bigint }): Measurement =>
  ({
    now: Date.UTC(2026, 11, 5, 12),
    epochStart: Date.UTC(2026, 11, 5),
    nextReset: Date.UTC(2026, 11, 6),
    chain: { eth: parseEther('1'), vvv: o.vvv ?? 0n, svvv: { unlocked: o.unlockedSvvv ?? 0n }, diem: { liquid: 0n }, pendingRewards: o.rewards ?? 0n },
    stake: { svvv: o.unlockedSvvv ?? 0n, totalSvvv: parseEther('1000000'), stakedDiem: 0n },
    model: { poolDiem: parseEther('1000'), minStakedDiem: 0n },
  }) as unknown as Measurement

describe('short targets waste no gas (issue #28 autopilot item 3)', () => {
  it('rewards below GONDOLA_AUTOPILOT_MIN_CLAIM_VVV are never restaked, even when the target is out of reach', async () => {
    const plan = await planToTarget({
      measurement: measurement({ vvv: parseEther('5'), rewards: parseEther('0.000313') }),
      market: market(0n),
      target: parseEther('3'),
      minClaimVvv: parseEther('1'),
    })
    expect(plan.reached).toBe(false)
    expect(plan.steps.map((s) => s.action)).not.toContain('restakeRewards')
  })

  it('a mint whose Diem/day is worth less than its gas is skipped (0.04 sVVV → 0.0004 Diem/day for 245,000 gas)', async () => {
    const plan = await planToTarget({
      measurement: measurement({ vvv: parseEther('5'), unlockedSvvv: parseEther('0.04') }),
      market: market(0n),
      target: parseEther('3'),
      minClaimVvv: parseEther('1'),
    })
    expect(plan.steps.map((s) => s.action)).toEqual(['stakeVvvMintDiem'])
    // Every step kept is worth its gas at the bulk route's price.
    for (const s of plan.steps) expect(s.diemPerDay).toBeGreaterThan(0n)
  })
})
