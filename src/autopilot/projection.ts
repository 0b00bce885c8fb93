/**
 * The allowance arithmetic, in one place: Diem per day = staked DIEM + the wallet's share of all sVVV × the
 * daily pool, and nothing spendable below the "at least 0.1 staked DIEM" rule when it applies. Pure functions
 * over base units (18 decimals: 10^18 = 1 Diem/day), so the planner can price an action as the difference of
 * two projections.
 */

/** The on-chain state that decides tomorrow's allowance. */
export type StakeState = {
  /** The wallet's sVVV, locked behind DIEM included (locked sVVV keeps its pool share, as the emulator counts it). */
  svvv: bigint
  /** All sVVV in existence (the pool's denominator). */
  totalSvvv: bigint
  /** Staked DIEM: 1 Diem per day each. */
  stakedDiem: bigint
}

/** What turns a stake into Diem per day: the learned pool, and the staked-DIEM rule. */
export type AllowanceModel = {
  /** Diem per day shared by all sVVV (base units), learned from an observation; undefined before the first one. */
  poolDiem: bigint | undefined
  /** Staked DIEM below which nothing is spendable (the current guide's 0.1 rule); 0n when the rule is off. */
  minStakedDiem: bigint
}

/**
 * The Diem per day the wallet's spendable allowance will be at the next reset, from its stake. Without a
 * learned pool, only the staked DIEM counts (nothing is guessed).
 *
 * @example
 * ```ts
 * projectAllowance({ svvv: 10n ** 21n, totalSvvv: 10n ** 24n, stakedDiem: 10n ** 17n }, { poolDiem: 1000n * 10n ** 18n, minStakedDiem: 10n ** 17n })
 * // 1.1 Diem/day: 0.1 staked + 1000 × 1000/1e6
 * ```
 */
export function projectAllowance(s: StakeState, m: AllowanceModel): bigint {
  if (s.stakedDiem < m.minStakedDiem) return 0n
  return s.stakedDiem + poolShare(s, m)
}

/** The pool share part alone (Diem per day from sVVV). */
export function poolShare(s: StakeState, m: AllowanceModel): bigint {
  if (m.poolDiem === undefined || s.totalSvvv === 0n) return 0n
  return (m.poolDiem * s.svvv) / s.totalSvvv
}

/**
 * Learns the daily pool from one observation of the epoch's allocation: pool = (allocation − staked DIEM) ×
 * total sVVV / wallet sVVV. Undefined when the wallet holds no sVVV (nothing to learn from).
 *
 * @example
 * ```ts
 * learnPool({ allocation: 11n * 10n ** 17n, svvv: 10n ** 21n, totalSvvv: 10n ** 24n, stakedDiem: 10n ** 17n }) // 1000 Diem
 * ```
 */
export function learnPool(o: StakeState & { allocation: bigint }): bigint | undefined {
  if (o.svvv === 0n) return undefined
  const fromPool = o.allocation > o.stakedDiem ? o.allocation - o.stakedDiem : 0n
  return (fromPool * o.totalSvvv) / o.svvv
}

/** Diem per day per whole sVVV at this state (what the status line and the plan show). */
export function ratePerSvvv(s: Pick<StakeState, 'totalSvvv'>, m: AllowanceModel): bigint {
  if (m.poolDiem === undefined || s.totalSvvv === 0n) return 0n
  return (m.poolDiem * 10n ** 18n) / s.totalSvvv
}
