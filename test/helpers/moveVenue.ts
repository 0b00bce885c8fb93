import type { Address } from 'viem'
import { expect } from 'vitest'
import { swapRouter02Abi } from '../../src/chain/abis/index.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { aerodromeRouterAbi } from '../../src/wallet/routes/aerodromeRouterAbi.js'
import { devnetWallet } from './useDevnet.js'

/**
 * Dev account #2 buys `token` (VVV by default) with `eth` on one venue, moving that venue's price. `fee` is the
 * Uniswap tier of the token's pool (3000 for VVV, 500 for USDC).
 *
 * @example
 * ```ts
 * await moveVenue(devnet(), 'uniswap-v3', parseEther('200')) // VVV ≈ 44 % dearer on Uniswap
 * await moveVenue(devnet(), 'aerodrome', parseEther('100'), { token: USDC_ADDRESS, fee: 500 })
 * ```
 */
export async function moveVenue(d: Devnet, venue: 'uniswap-v3' | 'aerodrome', eth: bigint, options: { token?: Address; fee?: number } = {}): Promise<void> {
  const a = d.addresses
  const token = options.token ?? a.vvv
  const trader = devnetWallet(d, 2)
  const me = trader.account.address
  // A fixed, ample gas limit: viem sends the bare estimate with no margin, so a swap that costs a little more in the
  // block it lands in (e.g. a pool's timestamp slot) reverts. This swap is set-up, not under test (one revert under full load).
  const gas = 1_000_000n
  const hash =
    venue === 'uniswap-v3'
      ? await trader.writeContract({
          address: a.swapRouter,
          abi: swapRouter02Abi,
          functionName: 'exactInputSingle',
          args: [{ tokenIn: a.weth, tokenOut: token, fee: options.fee ?? 3000, recipient: me, amountIn: eth, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }],
          value: eth,
          gas,
        })
      : await trader.writeContract({
          address: a.aerodromeRouter!,
          abi: aerodromeRouterAbi,
          functionName: 'swapExactETHForTokens',
          args: [0n, [{ from: a.weth, to: token, stable: false, factory: a.aerodromeFactory! }], me, 2n ** 40n],
          value: eth,
          gas,
        })
  const receipt = await d.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  expect({ status: receipt.status, gasUsed: receipt.gasUsed }).toEqual({ status: 'success', gasUsed: expect.any(BigInt) })
}
