import type { Wallet } from '../createWallet.js'
import { swapEthForToken, type SwapEthForTokenReturnType } from './swapEthForToken.js'

export type SwapEthForVvvParameters = {
  /** ETH to spend, wei. Capped by the policy (per swap and per UTC day). */
  amountIn: bigint
  /** Same key after a crash → the interrupted swap is awaited, not repeated. Defaults to the intent. */
  idempotencyKey?: string | undefined
}

export type SwapEthForVvvReturnType = SwapEthForTokenReturnType

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
  return swapEthForToken(wallet, { ...parameters, token: 'VVV' })
}
