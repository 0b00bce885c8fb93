import { formatEther, parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { AUTOPILOT_ACTIONS, capacity, simulate, type AutopilotAction, type SimState } from '../src/autopilot/actions.js'
import type { Market } from '../src/autopilot/market.js'
import type { Measurement } from '../src/autopilot/measure.js'
import { planToTarget } from '../src/autopilot/planner.js'
import { solveMonotone } from '../src/autopilot/solve.js'
import { projectAllowance, type AllowanceModel } from '../src/autopilot/projection.js'

// A fixed-price market (the live one is a boundary tested on the devnet in autopilot.plan.test.ts), with a price
// impact so that swap size matters: 1 ETH buys ~1,000 VVV less 10 % per ETH swapped; 100.05 sVVV mint 1 DIEM
// (10 sVVV → 0.09995 DIEM, the numbers); gas at 0.87 gwei.
const market = (ethRoom: bigint): Market => ({
  gasPrice: 870_000_000n,
  ethRoom,
  ethBound: 'balance',
  maxEthPerSwap: parseEther('0.05'),
  gasReserve: parseEther('0.001'),
  vvvForEth: async (eth) => (eth * 1000n * (10n ** 19n - eth)) / 10n ** 19n,
  diemForSvvv: async (svvv) => (svvv * 10_000n) / 1_000_500n,
  ethPerVvv: 10n ** 15n,
})

type Start = { name: string; eth: string; vvv?: string; unlockedSvvv?: string; liquidDiem?: string; rewards?: string; target: string; rule: boolean }
const MIN_CLAIM = parseEther('1')
const TOTAL_SVVV = parseEther('1000000')
const POOL = parseEther('1000')

const measurement = (s: Start): Measurement =>
  ({
    now: Date.UTC(2026, 11, 5, 12),
    epochStart: Date.UTC(2026, 11, 5),
    nextReset: Date.UTC(2026, 11, 6),
    chain: {
      eth: parseEther(s.eth),
      vvv: parseEther(s.vvv ?? '0'),
      svvv: { unlocked: parseEther(s.unlockedSvvv ?? '0') },
      diem: { liquid: parseEther(s.liquidDiem ?? '0') },
      pendingRewards: parseEther(s.rewards ?? '0'),
    },
    stake: { svvv: parseEther(s.unlockedSvvv ?? '0'), totalSvvv: TOTAL_SVVV + parseEther(s.unlockedSvvv ?? '0'), stakedDiem: 0n },
    model: { poolDiem: POOL, minStakedDiem: s.rule ? parseEther('0.1') : 0n },
  }) as unknown as Measurement

/**
 * The cheapest way to the target by brute force: every sequence of up to three actions, each non-final action at
 * a quarter, half or all of what it can use, the final one sized to reach the target (or all it can use).
 */
async function bruteForce(start: SimState, model: AllowanceModel, m: Market, target: bigint): Promise<bigint | undefined> {
  let best: bigint | undefined
  const actions = AUTOPILOT_ACTIONS.filter((a) => a !== 'restakeRewards' || start.rewards >= MIN_CLAIM)
  const walk = async (s: SimState, cost: bigint, depth: number, used: Set<AutopilotAction>) => {
    if (projectAllowance(s, model) >= target) {
      if (best === undefined || cost < best) best = cost
      return
    }
    if (depth === 3) return
    for (const a of actions) {
      if (used.has(a)) continue
      const cap = capacity(a, s)
      if (cap === 0n) continue
      const sized = await solveMonotone(
        async (x) => projectAllowance((await simulate(a, x, s, m)).state, model) - projectAllowance(s, model),
        target - projectAllowance(s, model),
        { probe: cap, max: cap },
      )
      for (const x of new Set([cap / 4n, cap / 2n, cap, ...(sized === undefined ? [] : [sized])])) {
        if (x === 0n) continue
        const r = await simulate(a, x, s, m)
        await walk(r.state, cost + r.ethCost, depth + 1, new Set([...used, a]))
      }
    }
  }
  await walk(start, 0n, 0, new Set())
  return best
}

const TABLE: Start[] = [
  { name: "the issue's wallet: 10 unlocked sVVV, 0.05 VVV", eth: '1', vvv: '0.05', unlockedSvvv: '10', target: '0.11', rule: true },
  { name: 'fresh wallet, ETH only', eth: '1', target: '1', rule: true },
  { name: 'liquid DIEM and unlocked sVVV', eth: '1', liquidDiem: '0.05', unlockedSvvv: '20', target: '0.5', rule: true },
  { name: 'liquid VVV only, little ETH', eth: '0.01', vvv: '50', target: '0.5', rule: true },
  { name: 'rewards over the min-claim, some sVVV', eth: '1', rewards: '2', unlockedSvvv: '5', target: '0.2', rule: true },
  { name: 'large target, rule off', eth: '1', unlockedSvvv: '10', target: '3', rule: false },
  { name: 'target met by unlocked sVVV alone', eth: '1', unlockedSvvv: '60', target: '0.6', rule: true },
]

describe('the planner against brute force over action sequences (issue #28 autopilot item 1)', () => {
  it('costs within 2 % of the cheapest sequence on every starting position of the table', async () => {
    const rows: Record<string, string>[] = []
    const checks: (() => void)[] = []
    for (const start of TABLE) {
      const m = measurement(start)
      const mk = market(parseEther(start.eth) - parseEther('0.001'))
      const plan = await planToTarget({ measurement: m, market: mk, target: parseEther(start.target), minClaimVvv: MIN_CLAIM })
      const s0: SimState = {
        ...m.stake,
        liquidDiem: m.chain.diem.liquid,
        unlockedSvvv: m.chain.svvv.unlocked,
        vvv: m.chain.vvv,
        rewards: m.chain.pendingRewards,
        ethRoom: mk.ethRoom,
      }
      const brute = await bruteForce(s0, m.model, mk, parseEther(start.target))
      rows.push({
        start: start.name,
        target: start.target,
        plan: plan.steps.map((s) => s.action).join(' → '),
        planEth: formatEther(plan.ethCost),
        bruteEth: brute === undefined ? 'unreachable' : formatEther(brute),
        ratio: brute ? (Number(plan.ethCost) / Number(brute)).toFixed(3) : '-',
      })
      checks.push(() => {
        expect(plan.reached, `${start.name}: ${plan.message}`).toBe(brute !== undefined)
        if (brute !== undefined) expect(Number(plan.ethCost) / Number(brute), start.name).toBeLessThanOrEqual(1.02)
      })
    }
    console.table(rows)
    for (const check of checks) check()
  })
})
