import type { Wallet } from '../createWallet.js'
import { swapEthForToken, type SwapEthForTokenReturnType } from './swapEthForToken.js'

export type SwapEthForUsdcParameters = {
  /** ETH to spend, wei. Capped by the policy (per swap and per UTC day). */
  amountIn: bigint
  /** Same key after a crash → the interrupted swap is awaited, not repeated. Defaults to the intent. */
  idempotencyKey?: string | undefined
}

export type SwapEthForUsdcReturnType = SwapEthForTokenReturnType

/**
 * Swaps exactly `amountIn` ETH for USDC (x402 payments) on the best WETH/USDC pool net of gas (Uniswap V3 tiers,
 * Aerodrome), under the same policy as VVV swaps: slippage bound, caps, allowlisted routers. `amountOut` is in
 * USDC base units (6 decimals).
 *
 * @throws {InvalidAmountError} / {PolicyViolationError} / {InsufficientFundsError} / {NoRouteError} / {TransactionRevertedError} / {ReceiptTimeoutError}
 *
 * @example
 * ```ts
 * const { amountOut } = await swapEthForUsdc(wallet, { amountIn: parseEther('0.002') })
 * formatUnits(amountOut, 6) // ≈ '5.98'
 * ```
 */
export async function swapEthForUsdc(wallet: Wallet, parameters: SwapEthForUsdcParameters): Promise<SwapEthForUsdcReturnType> {
  return swapEthForToken(wallet, { ...parameters, token: 'USDC' })
}
