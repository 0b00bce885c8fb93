import type { Hex } from 'viem'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { withRun } from '../send/withRun.js'
import { swapStep } from '../steps/swapStep.js'

export type BuyUsdcReturnType = { status: 'confirmed' | 'planned'; hash: Hex | undefined; amountIn: bigint; amountOut: bigint; resumed: boolean }

/**
 * Buys exactly `amount` USDC base units with ETH (exact output on the best WETH/USDC venue net of gas), under the
 * spend policy: slippage bound on the ETH paid, the per-swap and per-day ETH caps, allowlisted routers. What an
 * x402 top-up runs when the wallet holds too little USDC (`ensureUsdc`).
 *
 * @throws {PolicyViolationError} / {InsufficientFundsError} / {NoRouteError} / {TransactionRevertedError}
 *
 * @example
 * ```ts
 * await topUpX402(wallet, { api, policy, amount: 5_000_000n, ensureUsdc: (w, needed) => buyUsdc(w, { amount: needed }) })
 * ```
 */
export async function buyUsdc(wallet: Wallet, parameters: { amount: bigint }): Promise<BuyUsdcReturnType> {
  assertPositiveAmount(parameters.amount, 'amount')
  return withRun(wallet, { intent: `buyUsdc:${parameters.amount}` }, async (run) => {
    const r = await swapStep(wallet, run, { amountOut: parameters.amount, token: 'USDC' })
    return { status: r.step.status, hash: r.step.hash, amountIn: r.amountIn, amountOut: r.amountOut, resumed: Boolean(r.step.resumed) }
  })
}
