import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'

const require = createRequire(import.meta.url)

/**
 * The built package carries the four artifacts in one file (written by `npm run build`), so the @uniswap
 * packages — whose dependencies pull Hardhat in as a peer — stay development dependencies. In the repo they
 * are read from node_modules.
 */
const VENDORED_FILE = fileURLToPath(new URL('../artifacts/uniswap.json', import.meta.url))
type Vendored = { versions: string[]; artifacts: Record<keyof typeof UNISWAP_ARTIFACT_PATHS, HardhatArtifact> }
let vendored: Vendored | null | undefined
const readVendored = (): Vendored | null => (vendored ??= existsSync(VENDORED_FILE) ? (JSON.parse(readFileSync(VENDORED_FILE, 'utf8')) as Vendored) : null)

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
  return readVendored()?.artifacts[name] ?? (require(UNISWAP_ARTIFACT_PATHS[name]) as HardhatArtifact)
}

/** The npm packages the artifacts come from. */
export const UNISWAP_PACKAGES = ['@uniswap/v3-core', '@uniswap/v3-periphery', '@uniswap/swap-router-contracts'] as const

/** Package versions of the Uniswap artifacts (part of the deployed-state cache key). */
export function uniswapVersions(): string[] {
  return readVendored()?.versions ?? UNISWAP_PACKAGES.map((p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}`)
}
