import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

/** solc and OpenZeppelin are this package's own dependencies. */
const require = createRequire(import.meta.url)

/** The devnet's own Solidity contracts, compiled by solc-js. */
export const CONTRACT_NAMES = ['VVV', 'Staking', 'Diem', 'WETH9', 'Multicall3', 'AerodromePool', 'AerodromePoolFactory', 'AerodromeRouter', 'USDC'] as const
export type ContractName = (typeof CONTRACT_NAMES)[number]

/** Directory holding `*.sol` sources. */
export const CONTRACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'contracts')

/** Compiler settings. `evmVersion` is pinned to cancun, which anvil (and Base) run. */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

/** Reads the sources as solc standard-JSON `sources` (keys are the file names). */
export function readContractSources(): Record<string, { content: string }> {
  return Object.fromEntries(CONTRACT_NAMES.map((name) => [`${name}.sol`, { content: readFileSync(join(CONTRACTS_DIR, `${name}.sol`), 'utf8') }]))
}

/** Versions of everything that shapes the bytecode besides our sources. */
export function compilerFingerprint(): { solc: string; openzeppelin: string } {
  return {
    solc: (require('solc/package.json') as { version: string }).version,
    openzeppelin: (require('@openzeppelin/contracts/package.json') as { version: string }).version,
  }
}

/**
 * Hash of the compiler input (sources, settings, solc and OpenZeppelin versions). Cached
 * artifacts are valid only while their recorded hash equals this one.
 *
 * @example
 * ```ts
 * const hash = contractsInputHash() // '9f2c…' (sha256 hex)
 * ```
 */
export function contractsInputHash(sources = readContractSources()): string {
  return createHash('sha256')
    .update(JSON.stringify({ fingerprint: compilerFingerprint(), settings: SOLC_SETTINGS, sources }))
    .digest('hex')
}
