import { erc20Abi, parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { quoterV2Abi, swapRouter02Abi, uniswapV3FactoryAbi, uniswapV3PoolAbi } from '../src/chain/abis/index.js'
import { devnetWallet, useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
const FEE = 3000

async function quote(amountIn: bigint): Promise<bigint> {
  const { addresses, publicClient } = devnet()
  const { result } = await publicClient.simulateContract({
    address: addresses.quoter,
    abi: quoterV2Abi,
    functionName: 'quoteExactInputSingle',
    args: [{ tokenIn: addresses.weth, tokenOut: addresses.vvv, amountIn, fee: FEE, sqrtPriceLimitX96: 0n }],
  })
  return result[0]
}

async function vvvBalance(owner: Address): Promise<bigint> {
  return devnet().publicClient.readContract({ address: devnet().addresses.vvv, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
}

describe('Uniswap V3 on the devnet', () => {
  it('has a VVV/WETH pool at 1 VVV ≈ 0.001 ETH with liquidity, on SwapRouter02 whose WETH9 is Base’s address', async () => {
    const { addresses, publicClient } = devnet()
    expect(addresses.weth).toBe('0x4200000000000000000000000000000000000006')
    expect(await publicClient.readContract({ address: addresses.swapRouter, abi: swapRouter02Abi, functionName: 'WETH9' })).toBe(addresses.weth)
    expect(await publicClient.readContract({ address: addresses.swapRouter, abi: swapRouter02Abi, functionName: 'factory' })).toBe(addresses.factory)
    const pool = await publicClient.readContract({
      address: addresses.factory,
      abi: uniswapV3FactoryAbi,
      functionName: 'getPool',
      args: [addresses.vvv, addresses.weth, FEE],
    })
    expect(pool).not.toBe('0x0000000000000000000000000000000000000000')
    expect(await publicClient.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'liquidity' })).toBeGreaterThan(0n)
    // 0.001 ETH buys ~1 VVV minus the 0.3 % fee.
    const out = await quote(parseEther('0.001'))
    expect(out).toBeGreaterThan(parseEther('0.99'))
    expect(out).toBeLessThan(parseEther('1'))
  })

  it('swaps ETH→VVV through SwapRouter02 (no deadline) for exactly the QuoterV2 quote', async () => {
    const { addresses, publicClient } = devnet()
    const wallet = devnetWallet(devnet(), 3)
    const me = wallet.account.address
    const amountIn = parseEther('0.1')
    const expected = await quote(amountIn)
    const before = await vvvBalance(me)
    const hash = await wallet.writeContract({
      address: addresses.swapRouter,
      abi: swapRouter02Abi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn: addresses.weth, tokenOut: addresses.vvv, fee: FEE, recipient: me, amountIn, amountOutMinimum: expected, sqrtPriceLimitX96: 0n }],
      value: amountIn,
      // A fixed limit: an estimate made in one block under-counts the oracle write of the first swap in a
      // later block (it happened under CI load), which is why the wallet pads its estimates by 20 %.
      gas: 500_000n,
    })
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
    expect((await vvvBalance(me)) - before).toBe(expected)
  })

  it('is deep enough for agent-sized swaps: 1 ETH moves the price by under 1 %', async () => {
    const small = await quote(parseEther('0.001'))
    const large = await quote(parseEther('1'))
    // Per-ETH output of the large swap is within 1 % of the small one.
    expect(large * 100n).toBeGreaterThan(small * 1000n * 99n)
  })

  it('Multicall3 answers at its canonical address (viem multicall)', async () => {
    const { addresses, publicClient, accounts } = devnet()
    await devnet().fund(accounts[4]!.address, { vvv: parseEther('7') })
    const results = await publicClient.multicall({
      allowFailure: false,
      contracts: [
        { address: addresses.vvv, abi: erc20Abi, functionName: 'balanceOf', args: [accounts[4]!.address] },
        { address: addresses.vvv, abi: erc20Abi, functionName: 'decimals' },
      ],
    })
    expect(results).toEqual([parseEther('7'), 18])
  })
})
