import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'

const require = createRequire(import.meta.url)

type HardhatArtifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex }

/** The official Uniswap V3 build artifacts from npm (Hardhat format, 0x-prefixed bytecode). */
export const UNISWAP_ARTIFACT_PATHS = {
  factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
  positionManager: '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
  quoter: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
  swapRouter: '@uniswap/swap-router-contracts/artifacts/contracts/SwapRouter02.sol/SwapRouter02.json',
} as const

/**
 * Loads one Uniswap artifact from node_modules.
 *
 * @example
 * ```ts
 * const { abi, bytecode } = uniswapArtifact('swapRouter')
 * ```
 */
export function uniswapArtifact(name: keyof typeof UNISWAP_ARTIFACT_PATHS): HardhatArtifact {
  return require(UNISWAP_ARTIFACT_PATHS[name]) as HardhatArtifact
}

/** Package versions of the Uniswap artifacts (part of the deployed-state cache key). */
export function uniswapVersions(): string[] {
  return ['@uniswap/v3-core', '@uniswap/v3-periphery', '@uniswap/swap-router-contracts'].map((p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}`)
}
