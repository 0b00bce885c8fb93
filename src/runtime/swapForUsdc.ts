import type { Wallet } from '../wallet/createWallet.js'

/**
 * How an x402 top-up buys the USDC it lacks: a swap ETH → USDC under the spend policy. Returns undefined while the
 * wallet has no ETH → USDC swap action (then a top-up with too little USDC fails with InsufficientFundsError, exit 6).
 *
 * @example
 * ```ts
 * await topUpX402(wallet, { api, policy, amount, ensureUsdc: swapForUsdcFunder() })
 * ```
 */
export function swapForUsdcFunder(): ((wallet: Wallet, needed: bigint) => Promise<void>) | undefined {
  return undefined
}
