/**
 * The planner's actions and what each does to the stake, with its cost. A pure-ish simulation (it asks the
 * market for live quotes) used both to rank candidates and to build the plan.
 */
import { GAS_UNITS, type Market } from './market.js'
import type { StakeState } from './projection.js'

/** Every move the autopilot can make (and the only ones the model variant can ask for). */
export const AUTOPILOT_ACTIONS = ['restakeRewards', 'stakeDiem', 'mintDiem', 'stakeVvv', 'stakeVvvMintDiem', 'swapStake', 'swapStakeMintDiem'] as const
export type AutopilotAction = (typeof AUTOPILOT_ACTIONS)[number]

/** What each action draws on (the unit of its `amount`). */
export const ACTION_INPUT: Record<AutopilotAction, 'VVV' | 'DIEM' | 'sVVV' | 'ETH'> = {
  restakeRewards: 'VVV',
  stakeDiem: 'DIEM',
  mintDiem: 'sVVV',
  stakeVvv: 'VVV',
  stakeVvvMintDiem: 'VVV',
  swapStake: 'ETH',
  swapStakeMintDiem: 'ETH',
}

/** The wallet as a plan sees it: the stake plus the assets actions draw on. */
export type SimState = StakeState & { liquidDiem: bigint; unlockedSvvv: bigint; vvv: bigint; rewards: bigint; ethRoom: bigint }

/** One simulated action: the state after it and what it cost. */
export type SimResult = {
  state: SimState
  /** Capital committed (ETH swapped, or liquid VVV at its ETH value) plus gas, in wei. */
  ethCost: bigint
  gasEth: bigint
  /**
   * sVVV locked behind newly minted DIEM ("given up" until the DIEM is burned). A mint after a stake mints the
   * whole unlocked position (sVVV unlocked before plus the new stake) in one transaction.
   */
  svvvLocked: bigint
  vvvOut: bigint
  diemOut: bigint
}

/** How much of its input an action can use now. */
export function capacity(action: AutopilotAction, s: SimState): bigint {
  switch (action) {
    case 'restakeRewards':
      return s.rewards
    case 'stakeDiem':
      return s.liquidDiem
    case 'mintDiem':
      return s.unlockedSvvv
    case 'stakeVvv':
    case 'stakeVvvMintDiem':
      return s.vvv
    case 'swapStake':
    case 'swapStakeMintDiem':
      return s.ethRoom
  }
}

/**
 * Applies `action` with `amount` of its input to `s` (nothing is sent).
 *
 * @example
 * ```ts
 * const r = await simulate('swapStakeMintDiem', parseEther('0.05'), state, market)
 * r.state.stakedDiem // + the DIEM the locked sVVV mints
 * ```
 */
export async function simulate(action: AutopilotAction, amount: bigint, s: SimState, market: Market): Promise<SimResult> {
  const gas = (...units: bigint[]) => units.reduce((a, b) => a + b, 0n) * market.gasPrice
  const next: SimState = { ...s }
  let ethCost = 0n
  let gasEth = 0n
  let svvvLocked = 0n
  let vvvOut = 0n
  let diemOut = 0n
  const stake = (v: bigint) => {
    next.svvv += v
    next.totalSvvv += v
    next.unlockedSvvv += v
  }
  const mint = async (svvv: bigint) => {
    diemOut = await market.diemForSvvv(svvv)
    svvvLocked = svvv
    next.unlockedSvvv -= svvv
    next.stakedDiem += diemOut
  }
  switch (action) {
    case 'restakeRewards':
      next.rewards -= amount
      stake(amount)
      gasEth = gas(GAS_UNITS.claimAndStake)
      break
    case 'stakeDiem':
      next.liquidDiem -= amount
      next.stakedDiem += amount
      gasEth = gas(GAS_UNITS.stakeDiem)
      break
    case 'mintDiem':
      await mint(amount)
      gasEth = gas(GAS_UNITS.mintDiem, GAS_UNITS.stakeDiem)
      break
    case 'stakeVvv':
    case 'stakeVvvMintDiem':
      next.vvv -= amount
      stake(amount)
      ethCost = (amount * market.ethPerVvv) / 10n ** 18n
      gasEth = gas(GAS_UNITS.approve, GAS_UNITS.stake)
      if (action === 'stakeVvvMintDiem') {
        // One mint for the whole unlocked position: sVVV already unlocked plus what was just staked.
        await mint(next.unlockedSvvv)
        gasEth += gas(GAS_UNITS.mintDiem, GAS_UNITS.stakeDiem)
      }
      break
    case 'swapStake':
    case 'swapStakeMintDiem': {
      next.ethRoom -= amount
      vvvOut = await market.vvvForEth(amount)
      stake(vvvOut)
      const swaps = market.maxEthPerSwap > 0n ? (amount + market.maxEthPerSwap - 1n) / market.maxEthPerSwap : 1n
      ethCost = amount
      gasEth = gas(GAS_UNITS.swap * swaps, GAS_UNITS.approve, GAS_UNITS.stake)
      if (action === 'swapStakeMintDiem') {
        await mint(next.unlockedSvvv)
        gasEth += gas(GAS_UNITS.mintDiem, GAS_UNITS.stakeDiem)
      }
      break
    }
  }
  return { state: next, ethCost: ethCost + gasEth, gasEth, svvvLocked, vvvOut, diemOut }
}
