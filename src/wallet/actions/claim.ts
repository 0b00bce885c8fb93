import { stakingAbi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { NothingToDoError } from '../errors.js'
import { receivedAmount } from '../steps/receivedAmount.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'

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
    intent: 'claim',
    idempotencyKey: parameters.idempotencyKey,
    build: async () => ({ label: 'claim rewards', to: wallet.addresses.staking, abi: stakingAbi, functionName: 'claim', args: [] }),
  })
  return { ...r, amount: r.receipt ? receivedAmount(r.receipt, wallet.addresses.vvv, wallet.address) : pending }
}
