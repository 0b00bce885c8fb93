import { stakingAbi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { NothingToDoError } from '../errors.js'
import { receivedAmount } from '../steps/receivedAmount.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'

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
  const pending = await wallet.publicClient.readContract({
    address: wallet.addresses.staking,
    abi: stakingAbi,
    functionName: 'pendingRewards',
    args: [wallet.address],
  })
  if (pending === 0n)
    throw new NothingToDoError('There are no staking rewards to claim yet.', {
      metaMessages: ['Stake VVV and wait for rewards to accrue.'],
      code: 'NO_REWARDS',
    })
  const r = await singleCall(wallet, {
    intent: 'claimAndStake',
    idempotencyKey: parameters.idempotencyKey,
    build: async () => ({ label: 'claim and restake rewards', to: wallet.addresses.staking, abi: stakingAbi, functionName: 'claimAndStake', args: [] }),
  })
  return { ...r, amount: r.receipt ? receivedAmount(r.receipt, wallet.addresses.staking, wallet.address) : pending }
}
