import type { Wallet } from '../wallet/createWallet.js'
import { buyUsdc } from '../wallet/x402/buyUsdc.js'

/**
 * How an x402 top-up buys the USDC it lacks: an ETH → USDC swap of exactly the shortfall, under the spend policy.
 *
 * @example
 * ```ts
 * await topUpX402(wallet, { api, policy, amount, ensureUsdc: swapForUsdcFunder() })
 * ```
 */
export function swapForUsdcFunder(): (wallet: Wallet, needed: bigint) => Promise<void> {
  return async (wallet, needed) => {
    await buyUsdc(wallet, { amount: needed })
  }
}
