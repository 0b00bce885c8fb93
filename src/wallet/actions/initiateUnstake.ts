import { formatEther } from 'viem'
import { stakingAbi } from '../../chain/abis/index.js'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError } from '../errors.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'
import { getBalances } from './getBalances.js'

export type InitiateUnstakeParameters = { /** sVVV to unstake, base units (unlocked sVVV only). */ amount: bigint; idempotencyKey?: string | undefined }
export type InitiateUnstakeReturnType = SingleCallResult & { amount: bigint /** Unix seconds when `finalizeUnstake` becomes possible. */; cooldownEnd: bigint }

/**
 * Starts unstaking sVVV (`initiateUnstake`): the sVVV is burned and its VVV cools down for the
 * contract's `cooldownDuration` (7 days on mainnet). One cooldown at a time.
 *
 * @throws {InsufficientFundsError} when the unlocked sVVV is short; {TransactionRevertedError} `CooldownInProgress` when one is running.
 *
 * @example
 * ```ts
 * const { cooldownEnd } = await initiateUnstake(wallet, { amount: parseEther('5') })
 * ```
 */
export async function initiateUnstake(wallet: Wallet, parameters: InitiateUnstakeParameters): Promise<InitiateUnstakeReturnType> {
  const { amount } = parameters
  assertPositiveAmount(amount, 'amount')
  const r = await singleCall(wallet, {
    intent: `initiateUnstake:${amount}`,
    idempotencyKey: parameters.idempotencyKey,
    build: async () => {
      const b = await getBalances(wallet)
      if (b.svvv.unlocked < amount) {
        throw new InsufficientFundsError(
          `Unstaking ${formatEther(amount)} sVVV needs that much unlocked sVVV; the wallet has ${formatEther(b.svvv.unlocked)}.`,
          {
            metaMessages: [b.svvv.locked > 0n ? 'sVVV locked behind DIEM must be released first (`gondola diem burn`).' : 'Unstake less.'],
            code: 'INSUFFICIENT_SVVV',
          },
        )
      }
      return {
        label: `initiate unstake of ${formatEther(amount)} sVVV`,
        to: wallet.addresses.staking,
        abi: stakingAbi,
        functionName: 'initiateUnstake',
        args: [amount],
      }
    },
  })
  const [, cooldownEnd] = await wallet.publicClient.readContract({
    address: wallet.addresses.staking,
    abi: stakingAbi,
    functionName: 'stakes',
    args: [wallet.address],
  })
  return { ...r, amount, cooldownEnd }
}
