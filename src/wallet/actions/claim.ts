import type { Wallet } from '../createWallet.js'
import type { SingleCallResult } from '../steps/singleCall.js'
import { claimPendingRewards } from './claimPendingRewards.js'

export type ClaimParameters = { idempotencyKey?: string | undefined }
export type ClaimReturnType = SingleCallResult & { /** VVV received (pending rewards in a dry run). */ amount: bigint }

/**
 * Claims pending staking rewards as liquid VVV (`claim()`).
 *
 * @throws {NothingToDoError} when nothing is pending (nothing is sent).
 *
 * @example
 * ```ts
 * const { amount } = await claim(wallet)
 * ```
 */
export async function claim(wallet: Wallet, parameters: ClaimParameters = {}): Promise<ClaimReturnType> {
  return claimPendingRewards(wallet, { intent: 'claim', label: 'claim rewards', paysIn: (w) => w.addresses.vvv }, parameters.idempotencyKey)
}
