import { zeroAddress, type Address, type TestClient } from 'viem'
import { MULTICALL3_ADDRESS } from 'gondola/chain'
import type { DevnetArtifacts } from '../compile/compileContracts.js'
import type { TxSender } from './txSender.js'
import { uniswapArtifact } from './uniswapArtifacts.js'

/** Base's WETH address; the devnet installs WETH9 there too. */
export const WETH_ADDRESS: Address = '0x4200000000000000000000000000000000000006'

/**
 * Installs WETH9 at Base's WETH address and Multicall3 at its canonical address (anvil_setCode),
 * then deploys the Uniswap V3 factory, NonfungiblePositionManager (no token descriptor),
 * SwapRouter02 (no V2 factory) and QuoterV2 from the official npm artifacts.
 *
 * @example
 * ```ts
 * const uniswap = await deployUniswap(tx, testClient, artifacts)
 * ```
 */
export async function deployUniswap(
  tx: TxSender,
  testClient: TestClient,
  artifacts: DevnetArtifacts,
): Promise<{ weth: Address; multicall3: Address; factory: Address; positionManager: Address; swapRouter: Address; quoter: Address }> {
  await testClient.setCode({ address: WETH_ADDRESS, bytecode: artifacts.contracts.WETH9.deployedBytecode })
  await testClient.setCode({ address: MULTICALL3_ADDRESS, bytecode: artifacts.contracts.Multicall3.deployedBytecode })
  const factoryArtifact = uniswapArtifact('factory')
  const npm = uniswapArtifact('positionManager')
  const router = uniswapArtifact('swapRouter')
  const quoterArtifact = uniswapArtifact('quoter')
  const factory = await tx.deploy('deploy UniswapV3Factory', factoryArtifact.abi, factoryArtifact.bytecode)
  const positionManager = await tx.deploy('deploy NonfungiblePositionManager', npm.abi, npm.bytecode, [factory, WETH_ADDRESS, zeroAddress])
  const swapRouter = await tx.deploy('deploy SwapRouter02', router.abi, router.bytecode, [zeroAddress, factory, positionManager, WETH_ADDRESS])
  const quoter = await tx.deploy('deploy QuoterV2', quoterArtifact.abi, quoterArtifact.bytecode, [factory, WETH_ADDRESS])
  return { weth: WETH_ADDRESS, multicall3: MULTICALL3_ADDRESS, factory, positionManager, swapRouter, quoter }
}
