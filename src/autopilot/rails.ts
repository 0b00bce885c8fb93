/**
 * One planner for both rails: what an agent's compute costs over a horizon if it is held by staking (the Diem
 * rail) or paid per call in USDC x402 credits (the x402 rail), and the cheapest mix of the two. Computed here,
 * once; the CLI (`gondola autopilot plan --rails diem,x402`), its JSON and `funding.rail: 'auto'` read it.
 *
 * - **Diem rail.** The planner's cheapest position for the usage (`planToTarget`, target = the usage in Diem/day):
 *   the ETH it commits and its gas now; over the horizon the sVVV earns the staking yield (locked sVVV 80 % of it);
 *   after the horizon the DIEM is unstaked (its cooldown), burned, the sVVV unstaked (its cooldown) and the VVV,
 *   yield included, sold back for ETH at today's pool. Cost = ETH in + exit gas − ETH back. The capital is back
 *   after the horizon plus both cooldowns. Prices are held constant (no view on VVV), and the capital earns no
 *   interest besides the yield.
 * - **x402 rail.** Every call is charged its USD price, the same number as its Diem price (1 Diem = $1 of compute,
 *   FACTS.md), so the usage costs usage × horizon dollars of credits. Credits are bought in top-ups of at least
 *   $5 (the API's minimum): a usage below it leaves the rest unused at the horizon, and it is counted. USDC the
 *   wallet holds pays first; the rest is bought with ETH on the USDC pool (fee and price impact counted) in one
 *   swap. The top-up itself is an EIP-3009 authorization: the facilitator pays its gas. Credits earn nothing.
 * - **Mix.** Part of the usage held by staking, the rest per call: the Diem rail's cost for that part plus the
 *   x402 rail's for the rest, at 0, 25, 50, 75 and 100 % staked. The cheapest is the advice.
 *
 * Figures are in base units: wei, and USDC's 6 decimals for dollars (ETH valued at the pool's small-swap price).
 */
import { GAS_UNITS, type Market } from './market.js'
import type { Measurement } from './measure.js'
import { planToTarget, type Plan } from './planner.js'
import { LOCKED_YIELD_FORGONE_BPS } from './market.js'
import type { RailMarket } from './railMarket.js'
import type { PaymentRail, RailCosts } from '../agent/fundingRail.js'

const WAD = 10n ** 18n
/** USDC base units per Diem of compute: 1 Diem = $1 (FACTS.md), USDC has 6 decimals. */
export const USDC_PER_DIEM = 1_000_000n
/** Shares of the usage held by staking that a mix is priced at, in basis points. */
export const RAIL_MIX_SHARES_BPS = [0, 2500, 5000, 7500, 10000] as const
/**
 * Gas of unwinding a Diem-rail position, measured on the devnet from receipts (test/autopilot.railsExit.test.ts
 * checks the sum against real ones, within 35 %): initiate and finalize the DIEM unstake, burn the DIEM, initiate
 * and finalize the sVVV unstake, then approve and swap the VVV back (the swap as `GAS_UNITS`).
 */
export const EXIT_GAS = {
  initiateDiemUnstake: 70_000n,
  finalizeDiemUnstake: 50_000n,
  burnDiem: 82_000n,
  initiateUnstake: 90_000n,
  finalizeUnstake: 56_000n,
  approve: GAS_UNITS.approve,
  swap: GAS_UNITS.swap,
} as const
/** The whole exit's gas (units). */
export const EXIT_GAS_UNITS = Object.values(EXIT_GAS).reduce((a, b) => a + b, 0n)
/** Gas of the one ETH → USDC swap that buys x402 credits (the top-up itself is gasless for the payer). */
export const X402_SWAP_GAS = GAS_UNITS.swap
/** ETH the comparison lets a Diem-rail plan commit: it prices the position; whether the wallet holds it is said beside. */
const COMPARISON_ETH_ROOM = 1_000n * WAD

/** The Diem rail for `diemPerDay` over the horizon. */
export type DiemRailCost = {
  diemPerDay: bigint
  plan: Plan
  /** ETH committed now, gas excluded (swapped, or liquid VVV at its ETH value). */
  capitalEth: bigint
  entryGasEth: bigint
  exitGasEth: bigint
  /** sVVV the position holds (locked behind DIEM included), and the locked part. */
  svvv: bigint
  svvvLocked: bigint
  /** VVV the position earns over the horizon. */
  yieldVvv: bigint
  /** ETH the position and its yield sell back for after the cooldowns, at today's pool. */
  exitEth: bigint
  /** ETH in + exit gas − ETH back (negative: the yield beats the round trip). */
  costEth: bigint
  /** Days until the capital is liquid again: the horizon plus the DIEM and sVVV cooldowns. */
  capitalBackDays: number
}

/** The x402 rail for `diemPerDay` over the horizon. */
export type X402RailCost = {
  diemPerDay: bigint
  /** Usage × horizon, in dollars (USDC base units). */
  computeUsdc: bigint
  /** Credits bought: the usage, and at least the $5 minimum top-up. */
  creditsUsdc: bigint
  /** Credits left unused at the horizon (the minimum top-up above the usage). */
  unusedUsdc: bigint
  /** Credits bought with ETH (those the wallet's USDC does not cover). */
  swappedUsdc: bigint
  /** ETH the swap takes (undefined: no ETH → USDC route). */
  ethIn: bigint | undefined
  /** The swap's fee and price impact, in dollars. */
  swapLossUsdc: bigint | undefined
  gasEth: bigint
  /** What the rail costs: the credits, the swap's loss and its gas. */
  costUsdc: bigint | undefined
}

/** A split of the usage: `diemShareBps` of it held by staking, the rest per call. */
export type RailMix = {
  diemShareBps: number
  diem: DiemRailCost | undefined
  x402: X402RailCost | undefined
  /** Total cost in dollars (undefined: a part cannot be priced or reached). */
  costUsdc: bigint | undefined
}

export type RailComparison = {
  usageDiemPerDay: bigint
  horizonDays: number
  rails: PaymentRail[]
  /** USDC per whole ETH (undefined: no ETH → USDC pool, dollars cannot be priced). */
  usdcPerEth: bigint | undefined
  diem: DiemRailCost | undefined
  x402: X402RailCost | undefined
  mixes: RailMix[]
  /** The cheapest mix (undefined when none can be priced). */
  best: RailMix | undefined
  /** Each rail's cost for the whole usage, in dollars: what `chooseRail` reads. */
  costs: RailCosts
  /** The wallet's ETH, to say whether it can hold the Diem rail's capital. */
  walletEth: bigint
}

export type CompareRailsParameters = {
  measurement: Measurement
  market: Market
  railMarket: RailMarket
  /** Measured usage, Diem per day (base units). */
  usageDiemPerDay: bigint
  horizonDays: number
  rails: readonly PaymentRail[]
  minClaimVvv: bigint
}

/**
 * @example
 * ```ts
 * const cmp = await compareRails({ measurement: m, market, railMarket, usageDiemPerDay: parseEther('2'), horizonDays: 30, rails: ['diem', 'x402'], minClaimVvv })
 * chooseRail('auto', cmp.costs) // 'diem'
 * ```
 */
export async function compareRails(p: CompareRailsParameters): Promise<RailComparison> {
  const both = p.rails.includes('diem') && p.rails.includes('x402')
  const shares = both ? RAIL_MIX_SHARES_BPS : p.rails.includes('diem') ? [10000] : [0]
  const usdc = (eth: bigint) => (p.railMarket.usdcPerEth === undefined ? undefined : (eth * p.railMarket.usdcPerEth) / WAD)
  const mixes: RailMix[] = []
  for (const bps of shares) {
    const held = (p.usageDiemPerDay * BigInt(bps)) / 10_000n
    const diem = bps > 0 ? await diemRailCost(p, held) : undefined
    const x402 = bps < 10000 ? await x402RailCost(p, p.usageDiemPerDay - held) : undefined
    const diemUsdc = diem === undefined ? 0n : diem.plan.reached ? usdc(diem.costEth) : undefined
    const x402Usdc = x402 === undefined ? 0n : x402.costUsdc
    mixes.push({ diemShareBps: bps, diem, x402, costUsdc: diemUsdc === undefined || x402Usdc === undefined ? undefined : diemUsdc + x402Usdc })
  }
  const priced = mixes.filter((m) => m.costUsdc !== undefined)
  const best = priced.reduce<RailMix | undefined>((b, m) => (b === undefined || m.costUsdc! < b.costUsdc! ? m : b), undefined)
  const diem = mixes.find((m) => m.diemShareBps === 10000)?.diem
  const x402 = mixes.find((m) => m.diemShareBps === 0)?.x402
  return {
    usageDiemPerDay: p.usageDiemPerDay,
    horizonDays: p.horizonDays,
    rails: [...p.rails],
    usdcPerEth: p.railMarket.usdcPerEth,
    diem,
    x402,
    mixes,
    best,
    costs: {
      diem: diem?.plan.reached ? usdc(diem.costEth) : undefined,
      x402: x402?.costUsdc,
    },
    walletEth: p.measurement.chain.eth,
  }
}

/** The Diem rail's cost of holding `diemPerDay` (see the module comment). */
async function diemRailCost(p: CompareRailsParameters, diemPerDay: bigint): Promise<DiemRailCost> {
  const market: Market = { ...p.market, ethRoom: COMPARISON_ETH_ROOM, ethBound: 'balance' }
  const plan = await planToTarget({ measurement: p.measurement, market, target: diemPerDay, minClaimVvv: p.minClaimVvv })
  const r = p.railMarket
  const entryGasEth = plan.steps.reduce((s, x) => s + x.gasEth, 0n)
  const capitalEth = plan.ethCost - entryGasEth
  const svvv = plan.state.svvv - p.measurement.stake.svvv
  const svvvLocked = plan.steps.reduce((s, x) => s + x.svvvLocked, 0n)
  const days = BigInt(Math.round(p.horizonDays * 100))
  // Unlocked sVVV earns the full yield, locked sVVV 80 % of it.
  const earning = svvv * 10_000n - svvvLocked * LOCKED_YIELD_FORGONE_BPS
  const yieldVvv = (earning * r.vvvYieldPerSvvvDay * days) / 10_000n / WAD / 100n
  const exitEth = svvv + yieldVvv > 0n ? await r.ethForVvv(svvv + yieldVvv) : 0n
  const exitGasEth = plan.steps.length > 0 ? EXIT_GAS_UNITS * r.gasPrice : 0n
  return {
    diemPerDay,
    plan,
    capitalEth,
    entryGasEth,
    exitGasEth,
    svvv,
    svvvLocked,
    yieldVvv,
    exitEth,
    costEth: plan.ethCost + exitGasEth - exitEth,
    capitalBackDays: p.horizonDays + Number(r.diemCooldownSeconds + r.svvvCooldownSeconds) / 86_400,
  }
}

/** The x402 rail's cost of paying for `diemPerDay` per call (see the module comment). */
async function x402RailCost(p: CompareRailsParameters, diemPerDay: bigint): Promise<X402RailCost> {
  const r = p.railMarket
  const computeUsdc = ceilDiv(diemPerDay * USDC_PER_DIEM * BigInt(Math.round(p.horizonDays * 100)), WAD * 100n)
  const creditsUsdc = computeUsdc === 0n ? 0n : computeUsdc > r.minTopUpUsdc ? computeUsdc : r.minTopUpUsdc
  const swappedUsdc = creditsUsdc > r.usdcHeld ? creditsUsdc - r.usdcHeld : 0n
  const ethIn = await r.ethForUsdc(swappedUsdc)
  const gasEth = swappedUsdc > 0n ? X402_SWAP_GAS * r.gasPrice : 0n
  const toUsdc = (eth: bigint) => (eth === 0n ? 0n : r.usdcPerEth === undefined ? undefined : (eth * r.usdcPerEth) / WAD)
  const swapIn = ethIn === undefined ? undefined : toUsdc(ethIn)
  const swapLossUsdc = swapIn === undefined ? undefined : swapIn > swappedUsdc ? swapIn - swappedUsdc : 0n
  const gasUsdc = toUsdc(gasEth)
  return {
    diemPerDay,
    computeUsdc,
    creditsUsdc,
    unusedUsdc: creditsUsdc - computeUsdc,
    swappedUsdc,
    ethIn,
    swapLossUsdc,
    gasEth,
    costUsdc: swapLossUsdc === undefined || gasUsdc === undefined ? undefined : creditsUsdc + swapLossUsdc + gasUsdc,
  }
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b
