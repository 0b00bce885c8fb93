import { parseAbi, type Abi } from 'viem'
import { quoterV2Abi, swapRouter02Abi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { NoRouteError } from '../errors.js'
import { isNetworkError } from '../send/networkError.js'
import type { SwapQuote, SwapRoute } from './types.js'

/** The Uniswap V3 fee tiers tried, in hundredths of a bip. */
export const UNISWAP_FEE_TIERS = [100, 500, 3000, 10000] as const

const quoterExactOutAbi = parseAbi([
  'struct QuoteExactOutputSingleParams { address tokenIn; address tokenOut; uint256 amount; uint24 fee; uint160 sqrtPriceLimitX96; }',
  'function quoteExactOutputSingle(QuoteExactOutputSingleParams params) returns (uint256 amountIn, uint160 sqrtPriceX96After, uint32 initializedTicksCrossed, uint256 gasEstimate)',
])

/**
 * Uniswap V3: QuoterV2 over the four fee tiers in ONE request (Multicall3, failures allowed:
 * a missing pool just drops out), best tier wins; SwapRouter02 `exactInputSingle` with
 * `tokenIn = WETH` and `value = amountIn`.
 *
 * @example
 * ```ts
 * const quote = await uniswapV3Route.quoteExactIn(wallet, parseEther('0.01')) // { fee: 3000, amountOut, … }
 * ```
 */
export const uniswapV3Route: SwapRoute = {
  name: 'uniswap-v3',
  async quoteExactIn(wallet, amountIn) {
    const { weth, vvv, quoter } = wallet.addresses
    const results = await quoteTiers(wallet, quoterV2Abi, 'quoteExactInputSingle', (fee) => ({ tokenIn: weth, tokenOut: vvv, amountIn, fee, sqrtPriceLimitX96: 0n }), quoter)
    const best = results.reduce<SwapQuote | undefined>((b, r) => (r.value > 0n && (!b || r.value > b.amountOut) ? { route: 'uniswap-v3', amountIn, amountOut: r.value, fee: r.fee } : b), undefined)
    if (!best) throw noRoute(wallet)
    return best
  },
  async quoteExactOut(wallet, amountOut) {
    const { weth, vvv, quoter } = wallet.addresses
    const results = await quoteTiers(wallet, quoterExactOutAbi, 'quoteExactOutputSingle', (fee) => ({ tokenIn: weth, tokenOut: vvv, amount: amountOut, fee, sqrtPriceLimitX96: 0n }), quoter)
    const best = results.reduce<SwapQuote | undefined>((b, r) => (r.value > 0n && (!b || r.value < b.amountIn) ? { route: 'uniswap-v3', amountIn: r.value, amountOut, fee: r.fee } : b), undefined)
    if (!best) throw noRoute(wallet)
    return best
  },
  buildSwap(wallet, { quote, amountOutMinimum }) {
    const { weth, vvv, swapRouter } = wallet.addresses
    return {
      label: `swap ETH → VVV (Uniswap V3, fee ${quote.fee})`,
      to: swapRouter,
      abi: swapRouter02Abi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn: weth, tokenOut: vvv, fee: quote.fee ?? 3000, recipient: wallet.address, amountIn: quote.amountIn, amountOutMinimum, sqrtPriceLimitX96: 0n }],
      value: quote.amountIn,
    }
  },
}

async function quoteTiers(wallet: Wallet, abi: Abi, functionName: string, params: (fee: number) => Record<string, unknown>, quoter: `0x${string}`): Promise<{ fee: number; value: bigint }[]> {
  const contracts = UNISWAP_FEE_TIERS.map((fee) => ({ address: quoter, abi, functionName, args: [params(fee)] }))
  const results = (await wallet.publicClient.multicall({ contracts, allowFailure: true, multicallAddress: wallet.addresses.multicall3 } as never)) as {
    status: 'success' | 'failure'
    result?: readonly [bigint, ...unknown[]]
    error?: unknown
  }[]
  // allowFailure also swallows a transport failure: an unreachable RPC is not "no pool".
  const unreachable = results.find((r) => r.status === 'failure' && isNetworkError(r.error))
  if (unreachable) throw unreachable.error
  return results.flatMap((r, i) => (r.status === 'success' && r.result ? [{ fee: UNISWAP_FEE_TIERS[i]!, value: r.result[0] }] : []))
}

function noRoute(wallet: Wallet): NoRouteError {
  return new NoRouteError('No Uniswap V3 WETH/VVV pool with liquidity in any fee tier (100, 500, 3000, 10000).', {
    metaMessages: [wallet.addresses.network === 'base' ? 'Try the Aerodrome route, where the main VVV liquidity is.' : 'Is the devnet deployed with its WETH/VVV pool?'],
    code: 'NO_ROUTE',
  })
}
