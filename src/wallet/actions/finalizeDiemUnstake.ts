import { diemAbi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { CooldownNotOverError, NothingToDoError } from '../errors.js'
import { receivedAmount } from '../steps/receivedAmount.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'
import { getBalances } from './getBalances.js'

export type FinalizeDiemUnstakeParameters = { idempotencyKey?: string | undefined }
export type FinalizeDiemUnstakeReturnType = SingleCallResult & { /** DIEM returned to the liquid balance. */ amount: bigint }

/**
 * Collects DIEM whose unstake cooldown is over (`DIEM.unstake`).
 *
 * @throws {CooldownNotOverError} before the cooldown ends, saying when (nothing is sent).
 * @throws {NothingToDoError} when no DIEM unstake was started.
 *
 * @example
 * ```ts
 * await finalizeDiemUnstake(wallet)
 * ```
 */
export async function finalizeDiemUnstake(wallet: Wallet, parameters: FinalizeDiemUnstakeParameters = {}): Promise<FinalizeDiemUnstakeReturnType> {
  const b = await getBalances(wallet)
  if (b.diem.coolingDown === 0n)
    throw new NothingToDoError('No DIEM unstake is cooling down.', {
      metaMessages: ['Start one with `gondola diem unstake start --diem <amount>`.'],
      code: 'NO_COOLDOWN',
    })
  if (!b.diem.ready) throw new CooldownNotOverError('DIEM unstake', new Date(Number(b.diem.end) * 1000))
  const r = await singleCall(wallet, {
    intent: `finalizeDiemUnstake:${b.diem.end}`,
    idempotencyKey: parameters.idempotencyKey,
    build: async () => ({ label: 'finalize DIEM unstake', to: wallet.addresses.diem, abi: diemAbi, functionName: 'unstake', args: [] }),
  })
  return { ...r, amount: r.receipt ? receivedAmount(r.receipt, wallet.addresses.diem, wallet.address) : b.diem.coolingDown }
}
