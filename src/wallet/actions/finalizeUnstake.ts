import { stakingAbi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { CooldownNotOverError, NothingToDoError } from '../errors.js'
import { receivedAmount } from '../steps/receivedAmount.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'
import { getBalances } from './getBalances.js'

export type FinalizeUnstakeParameters = { idempotencyKey?: string | undefined }
export type FinalizeUnstakeReturnType = SingleCallResult & { /** VVV paid back. */ amount: bigint }

/**
 * Collects the VVV of a finished unstake cooldown (`finalizeUnstake`).
 *
 * @throws {CooldownNotOverError} before the cooldown ends, saying when (nothing is sent).
 * @throws {NothingToDoError} when no unstake was started.
 *
 * @example
 * ```ts
 * await finalizeUnstake(wallet) // CooldownNotOverError: … ends at 2026-08-08T12:00:00.000Z
 * ```
 */
export async function finalizeUnstake(wallet: Wallet, parameters: FinalizeUnstakeParameters = {}): Promise<FinalizeUnstakeReturnType> {
  const b = await getBalances(wallet)
  if (b.unstake.amount === 0n)
    throw new NothingToDoError('No sVVV unstake is cooling down.', {
      metaMessages: ['Start one with `gondola unstake start --vvv <amount>`.'],
      code: 'NO_COOLDOWN',
    })
  if (!b.unstake.ready) throw new CooldownNotOverError('sVVV unstake', new Date(Number(b.unstake.end) * 1000))
  const r = await singleCall(wallet, {
    intent: `finalizeUnstake:${b.unstake.end}`,
    idempotencyKey: parameters.idempotencyKey,
    build: async () => ({ label: 'finalize unstake', to: wallet.addresses.staking, abi: stakingAbi, functionName: 'finalizeUnstake', args: [] }),
  })
  return { ...r, amount: r.receipt ? receivedAmount(r.receipt, wallet.addresses.vvv, wallet.address) : b.unstake.amount }
}
