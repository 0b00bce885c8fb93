import { applySlippageDown, assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { assertPolicy } from '../policy/policy.js'
import type { SwapQuote } from '../routes/types.js'

export type QuoteSwapParameters = { /** ETH in, wei. */ amountIn: bigint }

export type QuoteSwapReturnType = SwapQuote & {
  /** The least VVV the swap would accept: the quote less the policy slippage bound. */
  amountOutMinimum: bigint
  slippageBps: number
}

/**
 * Prices an ETH → VVV swap on the wallet's route (best Uniswap V3 fee tier by default) and checks
 * it against the spend policy. Sends nothing.
 *
 * @throws {InvalidAmountError} / {PolicyViolationError} / {NoRouteError}
 *
 * @example
 * ```ts
 * const q = await quoteSwap(wallet, { amountIn: parseEther('0.01') }) // { fee: 3000, amountOut, amountOutMinimum, … }
 * ```
 */
export async function quoteSwap(wallet: Wallet, parameters: QuoteSwapParameters): Promise<QuoteSwapReturnType> {
  const { amountIn } = parameters
  assertPositiveAmount(amountIn, 'amountIn')
  assertPolicy(wallet.policy, { to: wallet.addresses.swapRouter, value: amountIn, spentToday: wallet.journal.spentOnDay(wallet.now()), label: 'swap' })
  const quote = await wallet.route.quoteExactIn(wallet, amountIn)
  const slippageBps = wallet.policy.maxSlippageBps
  return { ...quote, amountOutMinimum: applySlippageDown(quote.amountOut, slippageBps), slippageBps }
}
