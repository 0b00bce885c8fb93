import { formatEther } from 'viem'
import { applySlippageDown, applySlippageUp } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError, NoRouteError } from '../errors.js'
import { assertPolicy } from '../policy/policy.js'
import type { SwapQuote, SwapToken } from '../routes/types.js'
import { swapTokenAddress } from '../routes/venues.js'
import { sendCall, type RunContext } from '../send/sendCall.js'
import type { StepResult } from '../send/types.js'
import { receivedAmount } from './receivedAmount.js'

/** Exact ETH in or exact token out; `token` is what the swap buys (VVV by default). */
export type SwapTarget = ({ amountIn: bigint; amountOut?: undefined } | { amountOut: bigint; amountIn?: undefined }) & { token?: SwapToken | undefined }

export type SwapStepResult = {
  step: StepResult
  /** The quote the swap was built from (undefined when the step was resumed from the journal). */
  quote: SwapQuote | undefined
  amountOutMinimum: bigint | undefined
  /** Tokens received (from the receipt's Transfer logs), or the quoted output in a dry run. */
  amountOut: bigint
  amountIn: bigint
}

/**
 * The swap step shared by `swapEthForVvv`, `swapEthForUsdc`, `ensureStake` and `topUp`. Exact input: minimum output
 * is the quote less the policy slippage. Exact output: input is the exact-output quote plus the
 * policy slippage, minimum output is the target. The slippage always comes from the policy.
 */
export async function swapStep(wallet: Wallet, run: RunContext, target: SwapTarget, name = 'swap'): Promise<SwapStepResult> {
  const bps = wallet.policy.maxSlippageBps
  const token = target.token ?? 'VVV'
  const options = { token }
  let quote: SwapQuote | undefined
  let amountOutMinimum: bigint | undefined
  const step = await sendCall(wallet, run, name, async () => {
    // The quote and the ETH balance are read together (one HTTP request on a batching transport).
    const balance = wallet.publicClient.getBalance({ address: wallet.address })
    balance.catch(() => undefined) // a quote failure is the error to report
    if (target.amountIn !== undefined) {
      quote = await wallet.route.quoteExactIn(wallet, target.amountIn, options)
      amountOutMinimum = applySlippageDown(quote.amountOut, bps)
    } else {
      const exact = await wallet.route.quoteExactOut(wallet, target.amountOut, options)
      quote = { ...exact, amountIn: applySlippageUp(exact.amountIn, bps) }
      amountOutMinimum = target.amountOut
    }
    if ((quote.token ?? 'VVV') !== token)
      throw new NoRouteError(`The ${wallet.route.name} route quoted ${quote.token ?? 'VVV'}, not ${token}.`, {
        metaMessages: ['Use a route that buys this token (the default route does).'],
        code: 'NO_ROUTE',
      })
    const call = wallet.route.buildSwap(wallet, { quote, amountOutMinimum })
    // The policy is the first refusal a caller should see, on whichever venue won (the chokepoint checks it again).
    assertPolicy(wallet.policy, { to: call.to, value: quote.amountIn, spentToday: wallet.journal.spentOnDay(wallet.now()), label: `swap ETH → ${token}` })
    const eth = await balance
    if (eth < quote.amountIn) {
      throw new InsufficientFundsError(`The swap needs ${formatEther(quote.amountIn)} ETH but the wallet holds ${formatEther(eth)} ETH.`, {
        metaMessages: [`Send at least ${formatEther(quote.amountIn - eth)} ETH (plus gas) to ${wallet.address}, or swap less.`],
        code: 'INSUFFICIENT_ETH',
      })
    }
    return call
  })
  const amountOut = step.receipt ? receivedAmount(step.receipt, swapTokenAddress(wallet, token), wallet.address) : (quote?.amountOut ?? 0n)
  // A fresh send carried exactly the quoted input; only a step resumed from the journal is read back.
  const amountIn =
    step.resumed && step.receipt ? (await wallet.publicClient.getTransaction({ hash: step.receipt.transactionHash })).value : (quote?.amountIn ?? 0n)
  return { step, quote, amountOutMinimum, amountOut, amountIn }
}
