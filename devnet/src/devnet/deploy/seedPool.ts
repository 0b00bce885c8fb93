import { erc20Abi, maxUint256, type Address } from 'viem'
import { wethAbi } from 'gondola/chain'
import type { TxSender } from './txSender.js'
import { uniswapArtifact } from './uniswapArtifacts.js'

/** Full-range ticks for tick spacing 10 (fee 500), 60 (fee 3000) and 200 (fee 10000). */
const FULL_RANGE: Record<500 | 3000 | 10000, number> = { 500: 887270, 3000: 887220, 10000: 887200 }

/**
 * Integer square root (floor) of a bigint.
 *
 * @example
 * ```ts
 * sqrtBigInt(10n) // 3n
 * ```
 */
export function sqrtBigInt(value: bigint): bigint {
  if (value < 2n) return value
  let x = value
  let y = (x + 1n) / 2n
  while (y < x) {
    x = y
    y = (x + value / x) / 2n
  }
  return x
}

/**
 * Creates the token/WETH pool at the price given by the two amounts and adds them as full-range
 * liquidity owned by the deployer: sqrtPriceX96 = sqrt((amount1 << 192) / amount0). The deployer must hold
 * `tokenAmount` of the token (and the ETH it wraps).
 *
 * @example
 * ```ts
 * await seedPool(tx, { token: vvv, symbol: 'VVV', weth, positionManager, fee: 3000, tokenAmount: parseEther('1000000'), wethAmount: parseEther('1000') })
 * ```
 */
export async function seedPool(
  tx: TxSender,
  p: { token: Address; symbol: string; weth: Address; positionManager: Address; fee: 500 | 3000 | 10000; tokenAmount: bigint; wethAmount: bigint },
): Promise<void> {
  const npm = uniswapArtifact('positionManager').abi
  const tokenIsToken0 = p.token.toLowerCase() < p.weth.toLowerCase()
  const [token0, token1] = tokenIsToken0 ? [p.token, p.weth] : [p.weth, p.token]
  const [amount0, amount1] = tokenIsToken0 ? [p.tokenAmount, p.wethAmount] : [p.wethAmount, p.tokenAmount]
  const sqrtPriceX96 = sqrtBigInt((amount1 << 192n) / amount0)
  await tx.call(`WETH.deposit (${p.symbol} pool)`, p.weth, wethAbi, 'deposit', [], p.wethAmount)
  await tx.call(`WETH.approve(positionManager) (${p.symbol} pool)`, p.weth, erc20Abi, 'approve', [p.positionManager, p.wethAmount])
  await tx.call(`${p.symbol}.approve(positionManager)`, p.token, erc20Abi, 'approve', [p.positionManager, p.tokenAmount])
  await tx.call(`createAndInitializePoolIfNecessary (${p.symbol}/WETH)`, p.positionManager, npm, 'createAndInitializePoolIfNecessary', [
    token0,
    token1,
    p.fee,
    sqrtPriceX96,
  ])
  const tick = FULL_RANGE[p.fee]
  await tx.call(`mint full-range liquidity (${p.symbol}/WETH)`, p.positionManager, npm, 'mint', [
    {
      token0,
      token1,
      fee: p.fee,
      tickLower: -tick,
      tickUpper: tick,
      amount0Desired: amount0,
      amount1Desired: amount1,
      amount0Min: 0n,
      amount1Min: 0n,
      recipient: tx.account.address,
      deadline: maxUint256,
    },
  ])
}
