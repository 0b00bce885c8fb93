import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import { stakeDiemStep } from '../steps/diemSteps.js'
import type { SingleCallResult } from '../steps/singleCall.js'
import { toPlannedSteps } from '../send/plannedStep.js'

export type StakeDiemParameters = { /** Liquid DIEM to stake, base units. */ amount: bigint; idempotencyKey?: string | undefined }
export type StakeDiemReturnType = Omit<SingleCallResult, 'receipt'> & { amount: bigint }

/**
 * Stakes liquid DIEM (one staked DIEM = $1 of Venice compute per day).
 *
 * @throws {InsufficientFundsError} when the liquid DIEM is short (nothing is sent).
 *
 * @example
 * ```ts
 * await stakeDiem(wallet, { amount: parseEther('1') })
 * ```
 */
export async function stakeDiem(wallet: Wallet, parameters: StakeDiemParameters): Promise<StakeDiemReturnType> {
  const { amount } = parameters
  assertPositiveAmount(amount, 'amount')
  return withRun(wallet, { intent: `stakeDiem:${amount}`, idempotencyKey: parameters.idempotencyKey }, async (run) => {
    const step = await stakeDiemStep(wallet, run, amount)
    return { status: step.status, hash: step.hash, gasUsed: step.receipt?.gasUsed, resumed: step.resumed, steps: toPlannedSteps([step]), amount }
  })
}
