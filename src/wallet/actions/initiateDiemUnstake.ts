import { formatEther } from 'viem'
import { diemAbi } from '../../chain/abis/index.js'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError } from '../errors.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'

export type InitiateDiemUnstakeParameters = { /** Staked DIEM to unstake, base units. */ amount: bigint; idempotencyKey?: string | undefined }
export type InitiateDiemUnstakeReturnType = SingleCallResult & {
  amount: bigint /** Unix seconds when `finalizeDiemUnstake` becomes possible. */
  cooldownEnd: bigint
}

/**
 * Starts unstaking DIEM (`DIEM.initiateUnstake`, 1-day cooldown; a new one adds to the amount and restarts the timer).
 *
 * @throws {InsufficientFundsError} when the staked DIEM is short (nothing is sent).
 *
 * @example
 * ```ts
 * const { cooldownEnd } = await initiateDiemUnstake(wallet, { amount: parseEther('1') })
 * ```
 */
export async function initiateDiemUnstake(wallet: Wallet, parameters: InitiateDiemUnstakeParameters): Promise<InitiateDiemUnstakeReturnType> {
  const { amount } = parameters
  assertPositiveAmount(amount, 'amount')
  const { diem } = wallet.addresses
  const r = await singleCall(wallet, {
    intent: `initiateDiemUnstake:${amount}`,
    idempotencyKey: parameters.idempotencyKey,
    build: async () => {
      const [staked] = await wallet.publicClient.readContract({ address: diem, abi: diemAbi, functionName: 'stakedInfos', args: [wallet.address] })
      if (staked < amount) {
        throw new InsufficientFundsError(`Unstaking ${formatEther(amount)} DIEM needs that much staked DIEM; the wallet has ${formatEther(staked)} staked.`, {
          metaMessages: ['Unstake less.'],
          code: 'INSUFFICIENT_DIEM',
        })
      }
      return { label: `initiate unstake of ${formatEther(amount)} DIEM`, to: diem, abi: diemAbi, functionName: 'initiateUnstake', args: [amount] }
    },
  })
  const [, cooldownEnd] = await wallet.publicClient.readContract({ address: diem, abi: diemAbi, functionName: 'stakedInfos', args: [wallet.address] })
  return { ...r, amount, cooldownEnd }
}
