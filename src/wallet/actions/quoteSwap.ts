import { applySlippageDown, assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { assertPolicy } from '../policy/policy.js'
import type { SwapQuote, SwapToken } from '../routes/types.js'

export type QuoteSwapParameters = {
  /** ETH in, wei. */
  amountIn: bigint
  /** What to buy (default VVV). */
  token?: SwapToken | undefined
}

export type QuoteSwapReturnType = SwapQuote & {
  /** The least output (token base units) the swap would accept: the quote less the policy slippage bound. */
  amountOutMinimum: bigint
  slippageBps: number
}

/**
 * Prices an ETH → VVV (or `token: 'USDC'`) swap on the wallet's route (by default every venue — Uniswap V3 fee tiers,
 * Aerodrome volatile/stable — best output net of gas; `comparison` lists them all) and checks it
 * against the spend policy on the winning venue's router. Sends nothing.
 *
 * @throws {InvalidAmountError} / {PolicyViolationError} / {NoRouteError}
 *
 * @example
 * ```ts
 * const q = await quoteSwap(wallet, { amountIn: parseEther('0.01') }) // { route: 'uniswap-v3', fee: 3000, amountOut, amountOutMinimum, comparison, … }
 * ```
 */
export async function quoteSwap(wallet: Wallet, parameters: QuoteSwapParameters): Promise<QuoteSwapReturnType> {
  const { amountIn, token } = parameters
  assertPositiveAmount(amountIn, 'amountIn')
  const quote = await wallet.route.quoteExactIn(wallet, amountIn, { token })
  const slippageBps = wallet.policy.maxSlippageBps
  const amountOutMinimum = applySlippageDown(quote.amountOut, slippageBps)
  // Caps, daily budget and allowlist, on the router of the venue that won.
  const call = wallet.route.buildSwap(wallet, { quote, amountOutMinimum })
  assertPolicy(wallet.policy, { to: call.to, value: amountIn, spentToday: wallet.journal.spentOnDay(wallet.now()), label: 'swap' })
  return { ...quote, amountOutMinimum, slippageBps }
}
