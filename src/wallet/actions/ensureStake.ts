import type { Hex } from 'viem'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import type { VenueComparison } from '../routes/quoteVenues.js'
import type { StepResult } from '../send/types.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'
import { stakeSteps } from '../steps/stakeSteps.js'
import { swapStep } from '../steps/swapStep.js'
import { getBalances } from './getBalances.js'

export type EnsureStakeParameters = {
  /** The sVVV balance (total, locked included) to reach, base units. */
  targetSvvv: bigint
  idempotencyKey?: string | undefined
}

export type EnsureStakeReturnType = {
  status: 'already' | 'confirmed' | 'planned'
  /** sVVV that was missing before this call. */
  missing: bigint
  /** ETH spent and VVV bought, when VVV was short. */
  swap:
    | { amountIn: bigint; amountOut: bigint /** Every venue's price net of gas (undefined when resumed). */; comparison?: VenueComparison | undefined }
    | undefined
  staked: bigint
  approved: boolean
  hashes: Hex[]
  gasUsed: bigint
  /** Each transaction sent or (dry run) planned: to, value, function, args, simulated. */
  steps: PlannedStep[]
}

/**
 * Brings the wallet's sVVV up to `targetSvvv`, sending only what is missing: stakes VVV already
 * held, swaps ETH → VVV (exact-output quote, under the policy) only when VVV is short, approves
 * only when the allowance is short. Idempotent: at the target, it sends nothing. Resumes after a
 * crash without repeating a swap or a stake.
 *
 * @throws {InvalidAmountError} / {PolicyViolationError} / {InsufficientFundsError} / {NoRouteError} / {TransactionRevertedError}
 *
 * @example
 * ```ts
 * await ensureStake(wallet, { targetSvvv: parseEther('100') }) // swap + approve + stake
 * await ensureStake(wallet, { targetSvvv: parseEther('100') }) // { status: 'already', hashes: [] }
 * ```
 */
export async function ensureStake(wallet: Wallet, parameters: EnsureStakeParameters): Promise<EnsureStakeReturnType> {
  const { targetSvvv, idempotencyKey } = parameters
  assertPositiveAmount(targetSvvv, 'targetSvvv')
  return withRun(wallet, { intent: `ensureStake:${targetSvvv}`, idempotencyKey }, async (run) => {
    const b = await getBalances(wallet)
    const missing = targetSvvv > b.svvv.total ? targetSvvv - b.svvv.total : 0n
    if (missing === 0n) return { status: 'already', missing, swap: undefined, staked: 0n, approved: false, hashes: [], gasUsed: 0n, steps: [] }
    const steps: StepResult[] = []
    let swap: EnsureStakeReturnType['swap']
    let vvv: bigint | undefined = b.vvv
    if (b.vvv < missing) {
      const s = await swapStep(wallet, run, { amountOut: missing - b.vvv })
      steps.push(s.step)
      swap = { amountIn: s.amountIn, amountOut: s.amountOut, comparison: s.quote?.comparison }
      // A swap resumed from the journal may already be in `b.vvv`: then read the balance again.
      vvv = s.step.resumed ? undefined : vvv + s.amountOut
    }
    // Balance and allowance are known (read above, plus the swap's output measured from its receipt): no re-read.
    steps.push(...(await stakeSteps(wallet, run, missing, { ...(vvv !== undefined && { knownVvv: vvv }), knownAllowance: b.vvvAllowanceToStaking })))
    return {
      status: wallet.dryRun ? 'planned' : 'confirmed',
      missing,
      swap,
      staked: missing,
      approved: steps.some((s) => s.name === 'approve'),
      hashes: steps.flatMap((s) => (s.hash ? [s.hash] : [])),
      gasUsed: steps.reduce((sum, s) => sum + (s.receipt?.gasUsed ?? 0n), 0n),
      steps: toPlannedSteps(steps),
    }
  })
}
