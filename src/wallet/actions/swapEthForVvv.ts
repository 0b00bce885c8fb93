import type { Hex } from 'viem'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import type { VenueComparison } from '../routes/quoteVenues.js'
import { swapStep } from '../steps/swapStep.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'

export type SwapEthForVvvParameters = {
  /** ETH to spend, wei. Capped by the policy (per swap and per UTC day). */
  amountIn: bigint
  /** Same key after a crash → the interrupted swap is awaited, not repeated. Defaults to the intent. */
  idempotencyKey?: string | undefined
}

export type SwapEthForVvvReturnType = {
  status: 'confirmed' | 'planned'
  hash: Hex | undefined
  amountIn: bigint
  /** VVV received, measured from the receipt (quoted in a dry run). */
  amountOut: bigint
  amountOutMinimum: bigint | undefined
  /** The venue swapped on (`uniswap-v3` or `aerodrome`). */
  route: string
  fee: number | undefined
  /** Every venue's price net of gas (undefined when the swap was resumed from the journal). */
  comparison: VenueComparison | undefined
  gasUsed: bigint | undefined
  /** The swap had been sent by an interrupted run and was only awaited. */
  resumed: boolean
  /** Each transaction sent or (dry run) planned: to, value, function, args, simulated. */
  steps: PlannedStep[]
}

/**
 * Swaps exactly `amountIn` ETH for VVV: best route quote, minimum output from the policy's
 * slippage bound (never from the caller), simulated, then sent through the signing chokepoint.
 *
 * @throws {InvalidAmountError} / {PolicyViolationError} / {InsufficientFundsError} / {NoRouteError} / {TransactionRevertedError} / {ReceiptTimeoutError}
 *
 * @example
 * ```ts
 * const { amountOut, hash } = await swapEthForVvv(wallet, { amountIn: parseEther('0.01') })
 * ```
 */
export async function swapEthForVvv(wallet: Wallet, parameters: SwapEthForVvvParameters): Promise<SwapEthForVvvReturnType> {
  const { amountIn, idempotencyKey } = parameters
  assertPositiveAmount(amountIn, 'amountIn')
  return withRun(wallet, { intent: `swapEthForVvv:${amountIn}`, idempotencyKey }, async (run) => {
    const r = await swapStep(wallet, run, { amountIn })
    return {
      status: r.step.status,
      hash: r.step.hash,
      amountIn: r.amountIn,
      amountOut: r.amountOut,
      amountOutMinimum: r.amountOutMinimum,
      route: r.quote?.route ?? wallet.route.name,
      fee: r.quote?.fee,
      comparison: r.quote?.comparison,
      gasUsed: r.step.receipt?.gasUsed,
      resumed: r.step.resumed,
      steps: toPlannedSteps([r.step]),
    }
  })
}
