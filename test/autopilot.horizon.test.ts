import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { planTable } from '../src/autopilot/format.js'
import { parseHorizon } from '../src/autopilot/fromEnv.js'
import { vvvForgonePerSvvvDay, type Market } from '../src/autopilot/market.js'
import type { Measurement } from '../src/autopilot/measure.js'
import { planToTarget } from '../src/autopilot/planner.js'

// The fixed-price market of autopilot.bruteForce.test.ts: 1 ETH buys ~1,000 VVV (less 10 % per ETH swapped),
// 100.05 sVVV mint 1 DIEM; and the devnet's staking emission (0.44 VVV/s) over 200,000 sVVV.
const TOTAL_SVVV = parseEther('200000')
const forgoneRate = vvvForgonePerSvvvDay({ emissionRatePerSecond: parseEther('0.44'), totalSvvv: TOTAL_SVVV, totalLocked: 0n })
const market: Market = {
  gasPrice: 870_000_000n,
  ethRoom: parseEther('1'),
  ethBound: 'balance',
  maxEthPerSwap: parseEther('0.05'),
  gasReserve: parseEther('0.001'),
  vvvForEth: async (eth) => (eth * 1000n * (10n ** 19n - eth)) / 10n ** 19n,
  diemForSvvv: async (svvv) => (svvv * 10_000n) / 1_000_500n,
  ethPerVvv: 10n ** 15n,
  vvvForgonePerSvvvDay: forgoneRate,
}
// A fresh wallet with ETH only; the pool (1,000 Diem/day over 200,000 sVVV) gives 0.005 Diem/day per sVVV, so
// 1 Diem/day costs ~0.2 ETH as pool share, ~0.1 ETH minted (but that locks ~100 sVVV).
const measurement = {
  now: Date.UTC(2026, 11, 5, 12),
  epochStart: Date.UTC(2026, 11, 5),
  nextReset: Date.UTC(2026, 11, 6),
  chain: { eth: parseEther('1.2'), vvv: 0n, svvv: { unlocked: 0n }, diem: { liquid: 0n }, pendingRewards: 0n },
  stake: { svvv: 0n, totalSvvv: TOTAL_SVVV, stakedDiem: 0n },
  model: { poolDiem: parseEther('1000'), minStakedDiem: 0n },
} as unknown as Measurement
const n = (v: bigint) => Number(v) / 1e18

describe('the yield minting gives up (#28 autopilot item 2)', () => {
  it('reads the forgone yield from the emission: 20 % of the staking yield of each locked sVVV', () => {
    // The run: 454.7 locked sVVV lose ~3.5 VVV a day on the devnet (0.44 VVV/s over ~1 M sVVV).
    const perSvvv = vvvForgonePerSvvvDay({ emissionRatePerSecond: parseEther('0.44'), totalSvvv: parseEther('1000000'), totalLocked: parseEther('454.7') })
    expect(n((parseEther('454.7') * perSvvv) / 10n ** 18n)).toBeCloseTo(3.46, 2)
  })

  it('shows VVV/day forgone per step and in total, and over a long horizon picks the pool-share route', async () => {
    const short = await planToTarget({ measurement, market, target: parseEther('1'), minClaimVvv: parseEther('1') })
    expect(short.steps.map((s) => s.action)).toEqual(['swapStakeMintDiem'])
    const locked = short.steps[0]!.svvvLocked
    expect(n(short.steps[0]!.vvvForgonePerDay)).toBeCloseTo(n((locked * forgoneRate) / 10n ** 18n), 9)
    expect(short.vvvForgonePerDay).toBe(short.steps[0]!.vvvForgonePerDay)
    expect(n(short.vvvForgonePerDay)).toBeGreaterThan(1) // ~100 sVVV × ~0.038 VVV/day
    const text = planTable(short)
    expect(text).toMatch(/\| VVV\/day forgone \|/)
    expect(text).toMatch(/Locked sVVV gives up [\d.]+ VVV\/day of staking yield \(not counted when choosing: --horizon 30d counts it\)/)

    // 30 days: ~1.9 VVV/day × 30 = ~57 VVV ≈ 0.057 ETH; minting (~0.1 ETH) still beats the pool share (~0.2 ETH).
    const month = await planToTarget({ measurement, market, target: parseEther('1'), minClaimVvv: parseEther('1'), horizonDays: 30 })
    expect(month.steps.map((s) => s.action)).toEqual(['swapStakeMintDiem'])
    // A year: the forgone yield (~0.7 ETH) outweighs the capital minting saves: pool share only, nothing locked.
    const year = await planToTarget({ measurement, market, target: parseEther('1'), minClaimVvv: parseEther('1'), horizonDays: 365 })
    expect(year.steps.map((s) => s.action)).toEqual(['swapStake'])
    expect(year.vvvForgonePerDay).toBe(0n)
    expect(year.reached).toBe(true)
    expect(year.ethCost).toBeGreaterThan(short.ethCost)
    expect(planTable(year)).not.toMatch(/gives up/)
    console.error(
      `1 Diem/day: mint ${n(short.ethCost).toFixed(4)} ETH + ${n(short.vvvForgonePerDay).toFixed(3)} VVV/day forgone; pool share ${n(year.ethCost).toFixed(4)} ETH, none forgone`,
    )
  })

  it('parses --horizon', () => {
    expect(parseHorizon('30d')).toBe(30)
    expect(parseHorizon('7')).toBe(7)
    expect(() => parseHorizon('thirty')).toThrow(/--horizon must be a number of days/)
  })
})
