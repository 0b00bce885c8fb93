import { erc20Abi, maxUint256, type Address } from 'viem'
import { wethAbi } from '../../chain/abis/uniswap.js'
import type { TxSender } from './txSender.js'
import { uniswapArtifact } from './uniswapArtifacts.js'

/** Full-range ticks for tick spacing 60 (fee 3000) and 200 (fee 10000). */
const FULL_RANGE: Record<3000 | 10000, number> = { 3000: 887220, 10000: 887200 }

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
 * Creates the VVV/WETH pool at the price given by the two amounts and adds them as full-range
 * liquidity owned by the deployer: sqrtPriceX96 = sqrt((amount1 << 192) / amount0).
 *
 * @example
 * ```ts
 * await seedPool(tx, { vvv, weth, positionManager, fee: 3000, vvvAmount: parseEther('1000000'), wethAmount: parseEther('1000') })
 * ```
 */
export async function seedPool(
  tx: TxSender,
  p: { vvv: Address; weth: Address; positionManager: Address; fee: 3000 | 10000; vvvAmount: bigint; wethAmount: bigint },
): Promise<void> {
  const npm = uniswapArtifact('positionManager').abi
  const vvvIsToken0 = p.vvv.toLowerCase() < p.weth.toLowerCase()
  const [token0, token1] = vvvIsToken0 ? [p.vvv, p.weth] : [p.weth, p.vvv]
  const [amount0, amount1] = vvvIsToken0 ? [p.vvvAmount, p.wethAmount] : [p.wethAmount, p.vvvAmount]
  const sqrtPriceX96 = sqrtBigInt((amount1 << 192n) / amount0)
  await tx.call('WETH.deposit', p.weth, wethAbi, 'deposit', [], p.wethAmount)
  await tx.call('WETH.approve(positionManager)', p.weth, erc20Abi, 'approve', [p.positionManager, p.wethAmount])
  await tx.call('VVV.approve(positionManager)', p.vvv, erc20Abi, 'approve', [p.positionManager, p.vvvAmount])
  await tx.call('createAndInitializePoolIfNecessary', p.positionManager, npm, 'createAndInitializePoolIfNecessary', [token0, token1, p.fee, sqrtPriceX96])
  const tick = FULL_RANGE[p.fee]
  await tx.call('mint full-range liquidity', p.positionManager, npm, 'mint', [
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
