import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import { mintDiemStep } from '../steps/diemSteps.js'
import type { SingleCallResult } from '../steps/singleCall.js'
import { toPlannedSteps } from '../send/plannedStep.js'

export type MintDiemParameters = { /** sVVV to lock, base units (unlocked sVVV only). */ svvvAmount: bigint; idempotencyKey?: string | undefined }
export type MintDiemReturnType = Omit<SingleCallResult, 'receipt'> & {
  /** DIEM received, measured from the receipt's mint Transfer (the balance delta of this tx); the quote in a dry run. */
  diemOut: bigint
  minOut: bigint | undefined
}

/**
 * Locks sVVV into DIEM (`mintDiem`): quoted with `getDiemAmountOut`, minimum output from the
 * policy slippage bound. Locked sVVV keeps earning at 80 %.
 *
 * @throws {InsufficientFundsError} / {TransactionRevertedError} (`InsufficientDiemOut` if the price moved)
 *
 * @example
 * ```ts
 * const { diemOut } = await mintDiem(wallet, { svvvAmount: parseEther('100') })
 * ```
 */
export async function mintDiem(wallet: Wallet, parameters: MintDiemParameters): Promise<MintDiemReturnType> {
  const { svvvAmount } = parameters
  assertPositiveAmount(svvvAmount, 'svvvAmount')
  return withRun(wallet, { intent: `mintDiem:${svvvAmount}`, idempotencyKey: parameters.idempotencyKey }, async (run) => {
    const r = await mintDiemStep(wallet, run, svvvAmount)
    return {
      status: r.step.status,
      hash: r.step.hash,
      gasUsed: r.step.receipt?.gasUsed,
      resumed: r.step.resumed,
      steps: toPlannedSteps([r.step]),
      diemOut: r.diemOut,
      minOut: r.minOut,
    }
  })
}
