import type { Hex } from 'viem'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import { stakeSteps } from '../steps/stakeSteps.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'

export type StakeVvvParameters = {
  /** VVV to stake, base units. */
  amount: bigint
  idempotencyKey?: string | undefined
}

export type StakeVvvReturnType = {
  status: 'confirmed' | 'planned'
  amount: bigint
  /** Whether an approval was needed (the allowance was short). */
  approved: boolean
  hashes: Hex[]
  gasUsed: bigint
  /** Each transaction sent or (dry run) planned: to, value, function, args, simulated. */
  steps: PlannedStep[]
}

/**
 * Stakes VVV into sVVV for the wallet itself: approves exactly `amount` only when the current
 * allowance is short (never an unbounded approval), then `stake(self, amount)`.
 *
 * @throws {InvalidAmountError} / {InsufficientFundsError} / {PolicyViolationError} / {TransactionRevertedError}
 *
 * @example
 * ```ts
 * await stakeVvv(wallet, { amount: parseEther('10') }) // { approved: true, hashes: [approve, stake] }
 * ```
 */
export async function stakeVvv(wallet: Wallet, parameters: StakeVvvParameters): Promise<StakeVvvReturnType> {
  const { amount, idempotencyKey } = parameters
  assertPositiveAmount(amount, 'amount')
  return withRun(wallet, { intent: `stakeVvv:${amount}`, idempotencyKey }, async (run) => {
    const steps = await stakeSteps(wallet, run, amount)
    return {
      status: steps.at(-1)!.status,
      amount,
      approved: steps.some((s) => s.name === 'approve'),
      hashes: steps.flatMap((s) => (s.hash ? [s.hash] : [])),
      gasUsed: steps.reduce((sum, s) => sum + (s.receipt?.gasUsed ?? 0n), 0n),
      steps: toPlannedSteps(steps),
    }
  })
}
