import type { Hex } from 'viem'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import type { VenueComparison } from '../routes/quoteVenues.js'
import type { SwapToken } from '../routes/types.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'
import { withRun } from '../send/withRun.js'
import { swapStep } from '../steps/swapStep.js'

export type SwapEthForTokenParameters = {
  /** What to buy. */
  token: SwapToken
  /** ETH to spend, wei. Capped by the policy (per swap and per UTC day). */
  amountIn: bigint
  /** Same key after a crash → the interrupted swap is awaited, not repeated. Defaults to the intent. */
  idempotencyKey?: string | undefined
}

export type SwapEthForTokenReturnType = {
  status: 'confirmed' | 'planned'
  hash: Hex | undefined
  /** The token bought. */
  token: SwapToken
  amountIn: bigint
  /** Tokens received in the token's base units (VVV: 18 decimals, USDC: 6), measured from the receipt (quoted in a dry run). */
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

/** The journal intent of a swap (kept as it was for VVV, so journals written before USDC resume). */
const INTENT: Record<SwapToken, string> = { VVV: 'swapEthForVvv', USDC: 'swapEthForUsdc' }

/**
 * Swaps exactly `amountIn` ETH for `token`: best route quote, minimum output from the policy's slippage bound
 * (never from the caller), simulated, then sent through the signing chokepoint.
 *
 * @throws {InvalidAmountError} / {PolicyViolationError} / {InsufficientFundsError} / {NoRouteError} / {TransactionRevertedError} / {ReceiptTimeoutError}
 *
 * @example
 * ```ts
 * const { amountOut } = await swapEthForToken(wallet, { token: 'USDC', amountIn: parseEther('0.01') }) // ≈ 30 USDC (6 decimals)
 * ```
 */
export async function swapEthForToken(wallet: Wallet, parameters: SwapEthForTokenParameters): Promise<SwapEthForTokenReturnType> {
  const { token, amountIn, idempotencyKey } = parameters
  assertPositiveAmount(amountIn, 'amountIn')
  return withRun(wallet, { intent: `${INTENT[token]}:${amountIn}`, idempotencyKey }, async (run) => {
    const r = await swapStep(wallet, run, { amountIn, token })
    return {
      status: r.step.status,
      hash: r.step.hash,
      token,
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
