import { parseEther } from 'viem'

/**
 * The numbers behind `npm start`. Chosen so the whole story — provision, think, run low, top up — plays out
 * in seconds on the devnet with realistic proportions: a whale holds most of the stake, so the agent's
 * share of the daily Diem pool is small, and a mid-sized model burns it visibly.
 */
export const demoSettings = {
  /** ETH the faucet gives the fresh wallet. */
  fundEth: parseEther('0.5'),
  /** Another staker's VVV, so the agent's share of the pool is realistic (not 100 %). */
  whaleStakeVvv: parseEther('1000000'),
  /** VVV the agent stakes when provisioning (≈ 0.02 ETH at the devnet price). */
  stakeVvv: parseEther('20'),
  /** DIEM the agent mints from part of its sVVV and stakes (1 staked DIEM = $1 of compute per day). */
  stakedDiem: parseEther('0.01'),
  /** The agent key's Diem limit per epoch. */
  diemPerAgent: 0.05,
  /** The Venice trait the agent thinks with (resolved through /models/traits). */
  model: 'function_calling_default',
  /** Runway below which the monitor reports `low` and the funding policy tops up (hours). */
  minRunwayHours: 0.1,
  criticalRunwayHours: 0.02,
  /** Burn rate window: recent spend, so the runway reacts within the demo. */
  burnWindowMs: 60_000,
  /** ETH per automatic top-up (under the default 0.05 ETH per-swap cap). */
  topUpEth: parseEther('0.01'),
  /** Agent runs at most; the demo stops two runs after the top-up. */
  maxRuns: 14,
} as const
