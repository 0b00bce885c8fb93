import { type Hex } from 'viem'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import type { StepResult } from '../send/types.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'
import { mintDiemStep, stakeDiemStep } from '../steps/diemSteps.js'
import { stakeSteps } from '../steps/stakeSteps.js'
import { swapStep } from '../steps/swapStep.js'

export type TopUpParameters = {
  /** ETH to convert, wei. Bounded by the policy (per swap, per UTC day). */
  eth: bigint
  /** Also lock the new sVVV into DIEM and stake that DIEM. Default false. */
  mintDiem?: boolean | undefined
  /** Use one key per intended top-up (e.g. `topup:<date>:<n>`): re-running it after a crash finishes it without repeating a step. */
  idempotencyKey?: string | undefined
}

export type TopUpReturnType = {
  status: 'confirmed' | 'planned'
  ethIn: bigint
  vvvBought: bigint
  svvvStaked: bigint
  diemMinted: bigint
  diemStaked: bigint
  hashes: Hex[]
  gasUsed: bigint
  /** Steps awaited from an interrupted earlier attempt rather than sent now. */
  resumedSteps: string[]
  /** Each transaction sent or (dry run) planned: to, value, function, args, simulated. */
  steps: PlannedStep[]
}

/**
 * The self-funding primitive: swap `eth` → VVV, stake exactly what the swap delivered, and
 * optionally lock that sVVV into DIEM and stake the DIEM. Everything under the spend policy,
 * journaled, resumable by `idempotencyKey`.
 *
 * @throws {PolicyViolationError} / {InsufficientFundsError} / {NoRouteError} / {TransactionRevertedError} / {ReceiptTimeoutError}
 *
 * @example
 * ```ts
 * const r = await topUp(wallet, { eth: parseEther('0.01'), mintDiem: true, idempotencyKey: 'topup:2026-08-01:1' })
 * r.svvvStaked // VVV bought and staked
 * ```
 */
export async function topUp(wallet: Wallet, parameters: TopUpParameters): Promise<TopUpReturnType> {
  const { eth } = parameters
  assertPositiveAmount(eth, 'eth')
  return withRun(wallet, { intent: `topUp:${eth}:${parameters.mintDiem ? 'diem' : 'stake'}`, idempotencyKey: parameters.idempotencyKey }, async (run) => {
    const steps: StepResult[] = []
    const swap = await swapStep(wallet, run, { amountIn: eth })
    steps.push(swap.step)
    steps.push(...(await stakeSteps(wallet, run, swap.amountOut, wallet.dryRun ? { knownVvv: swap.amountOut } : {})))
    let diemMinted = 0n
    if (parameters.mintDiem) {
      const m = await mintDiemStep(wallet, run, swap.amountOut, wallet.dryRun ? { knownUnlocked: swap.amountOut } : {})
      steps.push(m.step)
      diemMinted = m.diemOut
      steps.push(await stakeDiemStep(wallet, run, diemMinted, wallet.dryRun ? { knownLiquid: diemMinted } : {}))
    }
    return {
      status: wallet.dryRun ? 'planned' : 'confirmed',
      ethIn: swap.amountIn,
      vvvBought: swap.amountOut,
      svvvStaked: swap.amountOut,
      diemMinted,
      diemStaked: diemMinted,
      hashes: steps.flatMap((s) => (s.hash ? [s.hash] : [])),
      gasUsed: steps.reduce((sum, s) => sum + (s.receipt?.gasUsed ?? 0n), 0n),
      resumedSteps: steps.filter((s) => s.resumed).map((s) => s.name),
      steps: toPlannedSteps(steps),
    }
  })
}
