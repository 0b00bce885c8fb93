import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { erc20Abi, maxUint256, parseEther, parseUnits, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devnetChain } from '../../src/chain/devnetChain.js'
import { SOLC_SETTINGS } from '../../src/devnet/compile/contractSources.js'
import { wethAbi } from '../../src/chain/abis/uniswap.js'
import { sqrtBigInt } from '../../src/devnet/deploy/seedPool.js'
import { uniswapArtifact } from '../../src/devnet/deploy/uniswapArtifacts.js'
import { createTxSender } from '../../src/devnet/deploy/txSender.js'
import type { Devnet } from '../../src/devnet/startDevnet.js'

/**
 * The stand-in pool, when the devnet has no USDC of its own: what the devnet's own USDC pool is (issue #29 item 1):
 * $3,000 per ETH on Uniswap V3's 0.05 % tier, 1,000 WETH and 3,000,000 USDC, full range.
 */
export const STAND_IN_USDC_PER_ETH = 3000n
const FEE = 500
/** Full-range ticks for tick spacing 10 (fee 500). */
const FULL_RANGE_TICK = 887270

const require = createRequire(import.meta.url)
const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract TestUsdc is ERC20 {
    constructor(address to, uint256 amount) ERC20("USD Coin", "USDC") { _mint(to, amount); }
    function decimals() public pure override returns (uint8) { return 6; }
}`

/**
 * A WETH/USDC pool on the devnet's Uniswap V3, for tests that price USDC. When the devnet deploys USDC itself
 * (issue #29 item 1: the address book's `usdc`), that token and its pools are used as they are. Until then a
 * 6-decimal ERC-20 is compiled and deployed here and seeded like the devnet's own pool (`STAND_IN_USDC_PER_ETH`),
 * and the devnet's address book gains its address. Call it in `beforeAll` after `useDevnet` (before the
 * per-test snapshot).
 *
 * @example
 * ```ts
 * const devnet = useDevnet()
 * beforeAll(async () => void (await ensureUsdcPool(devnet())))
 * ```
 */
export async function ensureUsdcPool(devnet: Devnet): Promise<Address> {
  if (devnet.addresses.usdc && (await devnet.publicClient.getCode({ address: devnet.addresses.usdc }))) return devnet.addresses.usdc
  const { default: solc } = (await import('solc')) as unknown as { default: { compile(input: string, cb: unknown): string } }
  const input = { language: 'Solidity', sources: { 'TestUsdc.sol': { content: SOURCE } }, settings: SOLC_SETTINGS }
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: (path: string) => ({ contents: readFileSync(require.resolve(path), 'utf8') }) })) as {
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const c = out.contracts['TestUsdc.sol']!.TestUsdc!
  const dev = devnet.accounts[8]!
  const tx = await createTxSender(devnet.publicClient, devnetChain(devnet.rpcUrl), privateKeyToAccount(dev.privateKey))
  const wethAmount = parseEther('1000')
  const usdcAmount = parseUnits((1000n * STAND_IN_USDC_PER_ETH).toString(), 6)
  const usdc = await tx.deploy('TestUsdc', c.abi, `0x${c.evm.bytecode.object}` as Hex, [dev.address, usdcAmount * 2n])
  await tx.settle()
  const { weth, positionManager } = devnet.addresses
  const npm = uniswapArtifact('positionManager').abi
  const usdcFirst = usdc.toLowerCase() < weth.toLowerCase()
  const [token0, token1] = usdcFirst ? [usdc, weth] : [weth, usdc]
  const [amount0, amount1] = usdcFirst ? [usdcAmount, wethAmount] : [wethAmount, usdcAmount]
  await tx.call('WETH.deposit', weth, wethAbi, 'deposit', [], wethAmount)
  await tx.call('WETH.approve', weth, erc20Abi, 'approve', [positionManager, wethAmount])
  await tx.call('USDC.approve', usdc, erc20Abi, 'approve', [positionManager, usdcAmount])
  await tx.call('createAndInitializePoolIfNecessary', positionManager, npm, 'createAndInitializePoolIfNecessary', [
    token0,
    token1,
    FEE,
    sqrtBigInt((amount1 << 192n) / amount0),
  ])
  await tx.call('mint full-range liquidity', positionManager, npm, 'mint', [
    {
      token0,
      token1,
      fee: FEE,
      tickLower: -FULL_RANGE_TICK,
      tickUpper: FULL_RANGE_TICK,
      amount0Desired: amount0,
      amount1Desired: amount1,
      amount0Min: 0n,
      amount1Min: 0n,
      recipient: tx.account.address,
      deadline: maxUint256,
    },
  ])
  await tx.settle()
  devnet.addresses.usdc = usdc
  return usdc
}
