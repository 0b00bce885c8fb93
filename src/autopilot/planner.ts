/**
 * The planner: the cheapest mix of actions that brings the spendable allowance from the next reset up to the
 * target, within what the wallet holds and the spend policy leaves (`market.ethRoom`). Costs are ETH committed
 * (swapped, or liquid VVV at its live ETH value) plus gas, per Diem/day gained; minting from sVVV already staked
 * costs gas and locks that sVVV. Greedy: at each step the candidate with the least ETH per Diem/day gained,
 * sized to close the gap or as far as its input goes. When capital runs out, the plan says what is missing.
 */
import { formatEther } from 'viem'
import { formatShort } from '../wallet/amounts.js'
import { ACTION_INPUT, AUTOPILOT_ACTIONS, capacity, simulate, type AutopilotAction, type SimResult, type SimState } from './actions.js'
import type { Market } from './market.js'
import type { Measurement } from './measure.js'
import { projectAllowance, type AllowanceModel } from './projection.js'
import { solveMonotone } from './solve.js'

const WAD = 10n ** 18n
const BIG = 10n ** 30n

export type PlanStep = {
  action: AutopilotAction
  /** Input drawn, in `unit` (base units). */
  amount: bigint
  unit: 'VVV' | 'DIEM' | 'sVVV' | 'ETH'
  /** ETH committed plus gas (wei). */
  ethCost: bigint
  gasEth: bigint
  svvvLocked: bigint
  vvvOut: bigint
  diemOut: bigint
  /** Spendable Diem/day this step adds (base units). */
  diemPerDay: bigint
  /** VVV/day of staking yield the sVVV it locks gives up (base units). */
  vvvForgonePerDay: bigint
  /** Why it is in the plan: the target, the staked-DIEM rule, or compounding rewards. */
  reason: 'target' | 'rule' | 'compound'
}

/** What is missing to reach the target, in the user's terms. */
export type Shortfall = { diemPerDay: bigint; eth: bigint | undefined; vvv: bigint | undefined; bound: Market['ethBound'] }

export type Plan = {
  target: bigint
  before: bigint
  after: bigint
  reached: boolean
  steps: PlanStep[]
  ethCost: bigint
  /** VVV/day of staking yield the plan's locked sVVV gives up, in total. */
  vvvForgonePerDay: bigint
  /** Days over which that forgone yield was counted in the choice (0: not counted). */
  horizonDays: number
  shortfall: Shortfall | undefined
  message: string
  /** The wallet as the plan leaves it (what the rail comparison prices the exit from). */
  state: SimState
}

export type PlanParameters = {
  measurement: Measurement
  market: Market
  target: bigint
  minClaimVvv: bigint
  /**
   * Days over which the VVV yield that minting gives up is counted as a cost when choosing (default 0: shown,
   * not counted). Over a long horizon a pool-share-only route can beat minting.
   */
  horizonDays?: number | undefined
}

/**
 * @example
 * ```ts
 * const plan = await planToTarget({ measurement, market, target: parseEther('1.5'), minClaimVvv: parseEther('1') })
 * plan.steps // [{ action: 'swapStakeMintDiem', amount: 15000000000000000n, diemPerDay: 1500000000000000000n, … }]
 * ```
 */
export async function planToTarget(p: PlanParameters): Promise<Plan> {
  const { measurement: m, market, target } = p
  const model = m.model
  const proj = (s: SimState) => projectAllowance(s, model)
  const forgone = (svvvLocked: bigint) => (svvvLocked * (market.vvvForgonePerSvvvDay ?? 0n)) / WAD
  const horizon = BigInt(Math.round((p.horizonDays ?? 0) * 100))
  // What a candidate costs for choosing: ETH committed and gas, plus the VVV yield its locked sVVV gives up over the horizon.
  const rank = (r: SimResult) => r.ethCost + (forgone(r.svvvLocked) * horizon * market.ethPerVvv) / WAD / 100n
  let state: SimState = {
    ...m.stake,
    liquidDiem: m.chain.diem.liquid,
    unlockedSvvv: m.chain.svvv.unlocked,
    vvv: m.chain.vvv,
    rewards: m.chain.pendingRewards,
    ethRoom: market.ethRoom,
  }
  const before = proj(state)
  const steps: PlanStep[] = []
  const starts: SimState[] = []
  const push = (action: AutopilotAction, amount: bigint, r: SimResult, reason: PlanStep['reason']): Promise<void> => {
    const diemPerDay = proj(r.state) - proj(state)
    // The same action twice in a row (the rule's DIEM, then the target's) is one action: one set of transactions.
    const prev = steps.at(-1)
    if (prev && prev.action === action && action !== 'restakeRewards') {
      const from = starts.at(-1)!
      steps.pop()
      starts.pop()
      state = from
      // One bigger swap buys less than two smaller ones (price impact): size the merged step to end where the two did.
      const want = proj(r.state) - proj(from)
      return resize(action, prev.amount + amount, from, want).then(([x, merged]) => push(action, x, merged, prev.reason === 'rule' ? 'rule' : reason))
    }
    starts.push(state)
    steps.push({
      action,
      amount,
      unit: ACTION_INPUT[action],
      ethCost: r.ethCost,
      gasEth: r.gasEth,
      svvvLocked: r.svvvLocked,
      vvvOut: r.vvvOut,
      diemOut: r.diemOut,
      diemPerDay,
      vvvForgonePerDay: forgone(r.svvvLocked),
      reason,
    })
    state = r.state
    return Promise.resolve()
  }
  const sim = (a: AutopilotAction, x: bigint, s = state) => simulate(a, x, s, market)
  const resize = async (a: AutopilotAction, x: bigint, from: SimState, want: bigint): Promise<[bigint, SimResult]> => {
    const r = await sim(a, x, from)
    if (proj(r.state) - proj(from) >= want) return [x, r]
    const sized = await solveMonotone(async (v) => proj((await sim(a, v, from)).state) - proj(from), want, { probe: x, max: capacity(a, from) })
    return sized === undefined ? [x, r] : [sized, await sim(a, sized, from)]
  }

  // Compound rewards once they are worth a transaction (GONDOLA_AUTOPILOT_MIN_CLAIM_VVV).
  if (state.rewards > 0n && state.rewards >= p.minClaimVvv) await push('restakeRewards', state.rewards, await sim('restakeRewards', state.rewards), 'compound')

  // The staked-DIEM rule: below it nothing is spendable, so reach it first, over the whole position: liquid
  // DIEM, unlocked sVVV, liquid VVV, then swaps. The cheapest single step that reaches it wins; when none does
  // alone, the cheapest DIEM per ETH goes first and the rest follows.
  if (model.minStakedDiem > 0n && state.stakedDiem < model.minStakedDiem && target > 0n) {
    if (state.liquidDiem > 0n) {
      const a = min(state.liquidDiem, model.minStakedDiem - state.stakedDiem)
      await push('stakeDiem', a, await sim('stakeDiem', a), 'rule')
    }
    for (let i = 0; i < 4 && state.stakedDiem < model.minStakedDiem; i++) {
      const need = model.minStakedDiem - state.stakedDiem
      let closer: { a: AutopilotAction; x: bigint; r: SimResult } | undefined
      let partial: { a: AutopilotAction; x: bigint; r: SimResult; perDiem: bigint } | undefined
      for (const a of ['mintDiem', 'stakeVvvMintDiem', 'swapStakeMintDiem'] as const) {
        const cap = capacity(a, state)
        if (cap === 0n) continue
        const diem = async (v: bigint) => (await sim(a, v)).state.stakedDiem - state.stakedDiem
        const x = await solveMonotone(diem, need, { probe: cap, max: cap })
        const r = await sim(a, x ?? cap)
        const got = r.state.stakedDiem - state.stakedDiem
        if (x !== undefined) {
          if (!closer || rank(r) < rank(closer.r)) closer = { a, x, r }
        } else if (got > 0n) {
          const perDiem = (rank(r) * WAD) / got
          if (!partial || perDiem < partial.perDiem) partial = { a, x: cap, r, perDiem }
        }
      }
      const pick = closer ?? partial
      if (!pick) break
      await push(pick.a, pick.x, pick.r, 'rule')
    }
  }

  // Greedy to the target; a 1 bp margin covers rounding between the quote and the transaction. Rewards are
  // restaked only from GONDOLA_AUTOPILOT_MIN_CLAIM_VVV on, and a step whose Diem/day is worth less than its gas
  // (valued at what the same Diem/day costs in capital on the bulk route) is skipped: it would burn more than it buys.
  const goal = target + target / 10_000n
  const worthOf = await diemPerDayPrice(state, market, model)
  for (let i = 0; i < 12 && proj(state) < target && !blocked(state, model); i++) {
    const gap = goal - proj(state)
    // A step that reaches the goal alone is compared by its whole cost (a bigger step with a better rate per
    // Diem/day would overshoot and lock more than needed); only when none does, the best rate goes first.
    let best: { a: AutopilotAction; x: bigint; r: SimResult; perGain: bigint } | undefined
    let closer: { a: AutopilotAction; x: bigint; r: SimResult } | undefined
    for (const a of AUTOPILOT_ACTIONS) {
      const cap = capacity(a, state)
      if (cap === 0n) continue
      if (a === 'restakeRewards' && cap < p.minClaimVvv) continue
      const x =
        a === 'restakeRewards' ? cap : ((await solveMonotone(async (v) => proj((await sim(a, v)).state) - proj(state), gap, { probe: cap, max: cap })) ?? cap)
      const r = await sim(a, x)
      const gain = proj(r.state) - proj(state)
      if (gain <= 0n) continue
      // (A step that reaches the target is kept: reaching it is what the user asked for.)
      if (worthOf !== undefined && proj(r.state) < target && (gain * worthOf) / WAD < r.gasEth) continue
      if (proj(r.state) >= goal && (!closer || rank(r) < rank(closer.r))) closer = { a, x, r }
      const perGain = (rank(r) * WAD) / gain
      if (!best || perGain < best.perGain) best = { a, x, r, perGain }
    }
    const pick = closer ?? best
    if (!pick) break
    await push(pick.a, pick.x, pick.r, 'target')
  }

  const after = proj(state)
  const reached = after >= target
  const ethOut = steps.reduce((sum, x) => sum + x.gasEth + (x.unit === 'ETH' ? x.amount : 0n), 0n)
  const ethLeft = m.chain.eth > ethOut ? m.chain.eth - ethOut : 0n
  const shortfall = reached ? undefined : await shortfallOf(state, target, model, market, ethLeft)
  const ethCost = steps.reduce((s, x) => s + x.ethCost, 0n)
  const message = planMessage({ target, before, after, reached, shortfall, steps }, { now: m.now, poolKnown: model.poolDiem !== undefined })
  const vvvForgonePerDay = steps.reduce((s, x) => s + x.vvvForgonePerDay, 0n)
  return { target, before, after, reached, steps, ethCost, vvvForgonePerDay, horizonDays: p.horizonDays ?? 0, shortfall, message, state }
}

/**
 * ETH of capital (gas excluded) one Diem/day costs on the bulk route at this state: swapping (a probe of
 * 0.01 ETH, or what the room allows) and minting, else staking liquid VVV and minting. It prices a small step's
 * gain against its gas. Undefined when no route is open (nothing is skipped then).
 */
async function diemPerDayPrice(s: SimState, market: Market, model: AllowanceModel): Promise<bigint | undefined> {
  const routes: [AutopilotAction, bigint][] = [
    ['swapStakeMintDiem', min(s.ethRoom, 10n ** 16n)],
    ['stakeVvvMintDiem', s.vvv],
  ]
  for (const [a, x] of routes) {
    if (x === 0n) continue
    const r = await simulate(a, x, s, market)
    const gain = projectAllowance(r.state, model) - projectAllowance(s, model)
    if (gain > 0n && r.ethCost > r.gasEth) return ((r.ethCost - r.gasEth) * WAD) / gain
  }
  return undefined
}

/** The rule still blocks every Diem: only DIEM-producing steps can help, and the rule step found none. */
function blocked(s: SimState, model: AllowanceModel): boolean {
  return model.minStakedDiem > 0n && s.stakedDiem < model.minStakedDiem
}

/**
 * What to add to the wallet, beyond the plan, to reach the target by the cheapest route: ETH (to swap, while
 * keeping the gas reserve) or VVV (to stake). Ignores the policy's room: when that is the bound, the message says so.
 */
async function shortfallOf(s: SimState, target: bigint, model: AllowanceModel, market: Market, ethLeft: bigint): Promise<Shortfall> {
  const gap = target - projectAllowance(s, model)
  const needed = async (actions: readonly AutopilotAction[], over: Partial<SimState>, probe: bigint) => {
    let best: bigint | undefined
    for (const a of actions) {
      const base = { ...s, ...over }
      const gain = async (x: bigint) => projectAllowance((await simulate(a, x, base, market)).state, model) - projectAllowance(s, model)
      const x = await solveMonotone(gain, gap, { probe, max: BIG }).catch(() => undefined)
      if (x !== undefined && (best === undefined || x < best)) best = x
    }
    return best
  }
  const swap = await needed(['swapStakeMintDiem', 'swapStake'], { ethRoom: BIG }, 10n ** 16n)
  const stake = await needed(['stakeVvvMintDiem', 'stakeVvv'], { vvv: s.vvv + BIG }, 10n ** 19n)
  // The next pass swaps what is above the gas reserve: add the swap plus whatever the reserve lacks.
  const eth = swap === undefined ? undefined : max(0n, swap + market.gasReserve - ethLeft)
  const vvv = stake === undefined ? undefined : max(0n, stake - s.vvv)
  return { diemPerDay: gap, eth, vvv, bound: market.ethBound }
}

/** What the message may add: the clock (when the daily cap resets) and whether the sVVV pool share is known. */
export type PlanMessageContext = { now?: number | undefined; poolKnown?: boolean | undefined }

/**
 * One sentence for the user: reached, or how far and what to add — and, when the spend policy's daily ETH cap is
 * what binds, that it binds and when it resets (never "add 0 ETH"). Before the first pool observation the plan
 * counts only staked DIEM, so a plan that buys more than the target says why.
 *
 * @example
 * ```ts
 * planMessage(plan, { now: Date.now(), poolKnown: true }) // 'Target 1 Diem/day reached: 0.5 → 1.0001 Diem/day from the next reset.'
 * ```
 */
export function planMessage(p: Pick<Plan, 'target' | 'before' | 'after' | 'reached' | 'shortfall' | 'steps'>, c: PlanMessageContext = {}): string {
  const d = (v: bigint) => formatShort(v, 4)
  const pool =
    c.poolKnown === false && p.steps.length > 0
      ? ' No pool observation yet, so the sVVV pool share is not counted (only staked DIEM): the plan may hold more than the target until the pool is learned after the next reset.'
      : ''
  if (p.reached && p.steps.every((s) => s.reason === 'compound'))
    return `Target ${d(p.target)} Diem/day already held: ${d(p.after)} Diem/day from the next reset.`
  if (p.reached) return `Target ${d(p.target)} Diem/day reached: ${d(p.before)} → ${d(p.after)} Diem/day from the next reset.${pool}`
  const s = p.shortfall!
  const ways = [s.eth ? `${d(s.eth)} ETH more` : undefined, s.vvv ? `${d(s.vvv)} VVV` : undefined].filter(Boolean).join(', or ')
  const head = `Short of the ${d(p.target)} Diem/day target: ${d(p.after)} Diem/day after this pass, ${d(s.diemPerDay)} Diem/day missing`
  if (s.bound === 'dailyCap') {
    const resets = c.now === undefined ? '' : ` (in ${untilUtcMidnight(c.now)})`
    return `${head}. The spend policy's daily ETH cap binds: it resets at 00:00 UTC${resets}; or raise GONDOLA_POLICY_MAX_ETH_PER_DAY.${ways ? ` Beyond the cap, add ${ways}.` : ''}${pool}`
  }
  return `${head} — add ${ways || 'more capital'}.${pool}`
}

/** `5 h 12 min` to the next 00:00 UTC. */
function untilUtcMidnight(now: number): string {
  const left = Math.ceil((86_400_000 - (now % 86_400_000)) / 60_000)
  return `${Math.floor(left / 60)} h ${left % 60} min`
}

/** Diem/day gained per ETH spent (a float, for display). */
export function diemPerDayPerEth(step: Pick<PlanStep, 'diemPerDay' | 'ethCost'>): number | null {
  if (step.ethCost === 0n) return null
  return Number(formatEther(step.diemPerDay)) / Number(formatEther(step.ethCost))
}

const min = (a: bigint, b: bigint) => (a < b ? a : b)
const max = (a: bigint, b: bigint) => (a > b ? a : b)
