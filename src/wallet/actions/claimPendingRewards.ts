import { stakingAbi } from '../../chain/abis/index.js'
import type { Address } from 'viem'
import type { Wallet } from '../createWallet.js'
import { NothingToDoError } from '../errors.js'
import { receivedAmount } from '../steps/receivedAmount.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'

/** How one of the staking contract's reward calls is sent, and which token it pays the wallet in. */
export type RewardCall = { intent: 'claim' | 'claimAndStake'; label: string; paysIn: (wallet: Wallet) => Address }

/**
 * Sends a reward call (`claim()` or `claimAndStake()`) once rewards are pending; the amount is what the receipt
 * shows the wallet received in the call's token (the pending rewards in a dry run). The shared body of `claim` and
 * `claimAndStake`.
 *
 * @throws {NothingToDoError} when nothing is pending (nothing is sent).
 *
 * @example
 * ```ts
 * const r = await claimPendingRewards(wallet, { intent: 'claim', label: 'claim rewards', paysIn: (w) => w.addresses.vvv })
 * ```
 */
export async function claimPendingRewards(
  wallet: Wallet,
  call: RewardCall,
  idempotencyKey?: string | undefined,
): Promise<SingleCallResult & { amount: bigint }> {
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
    intent: call.intent,
    idempotencyKey,
    build: async () => ({ label: call.label, to: wallet.addresses.staking, abi: stakingAbi, functionName: call.intent, args: [] }),
  })
  return { ...r, amount: r.receipt ? receivedAmount(r.receipt, call.paysIn(wallet), wallet.address) : pending }
}
