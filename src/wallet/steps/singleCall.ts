import type { Hex, TransactionReceipt } from 'viem'
import type { Wallet } from '../createWallet.js'
import { sendCall } from '../send/sendCall.js'
import type { ContractCall } from '../send/types.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'
import { withRun } from '../send/withRun.js'

export type SingleCallResult = {
  status: 'confirmed' | 'planned'
  hash: Hex | undefined
  gasUsed: bigint | undefined
  receipt: TransactionReceipt | undefined
  resumed: boolean
  /** Each transaction sent or (dry run) planned: to, value, function, args, simulated. */
  steps: PlannedStep[]
}

/** One journaled run with one step: the shape of every single-transaction action. `check` runs only for a fresh send. */
export async function singleCall(
  wallet: Wallet,
  parameters: { intent: string; idempotencyKey?: string | undefined; build: () => Promise<ContractCall> },
): Promise<SingleCallResult> {
  return withRun(wallet, { intent: parameters.intent, idempotencyKey: parameters.idempotencyKey }, async (run) => {
    const step = await sendCall(wallet, run, parameters.intent.split(':')[0]!, parameters.build)
    return { status: step.status, hash: step.hash, gasUsed: step.receipt?.gasUsed, receipt: step.receipt, resumed: step.resumed, steps: toPlannedSteps([step]) }
  })
}
