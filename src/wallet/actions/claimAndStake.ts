import type { Wallet } from '../createWallet.js'
import type { SingleCallResult } from '../steps/singleCall.js'
import { claimPendingRewards } from './claimPendingRewards.js'

export type ClaimAndStakeParameters = { idempotencyKey?: string | undefined }
export type ClaimAndStakeReturnType = SingleCallResult & { /** sVVV added (pending rewards in a dry run). */ amount: bigint }

/**
 * Claims pending rewards and stakes them in the same transaction (`claimAndStake()`).
 *
 * @throws {NothingToDoError} when nothing is pending (nothing is sent).
 *
 * @example
 * ```ts
 * const { amount } = await claimAndStake(wallet)
 * ```
 */
export async function claimAndStake(wallet: Wallet, parameters: ClaimAndStakeParameters = {}): Promise<ClaimAndStakeReturnType> {
  return claimPendingRewards(
    wallet,
    { intent: 'claimAndStake', label: 'claim and restake rewards', paysIn: (w) => w.addresses.staking },
    parameters.idempotencyKey,
  )
}
