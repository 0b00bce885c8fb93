import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'
import { ContractCompileError } from '../errors.js'
import { CONTRACT_NAMES, SOLC_SETTINGS, compilerFingerprint, contractsInputHash, readContractSources, type ContractName } from './contractSources.js'

const require = createRequire(import.meta.url)

export type ContractArtifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex }

/** Compiled devnet contracts plus the input hash they were built from. */
export type DevnetArtifacts = {
  inputHash: string
  solcVersion: string
  contracts: Record<ContractName, ContractArtifact>
}

type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[]
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>
}

/**
 * Compiles the devnet contracts with solc-js (offline, standard JSON). `@openzeppelin/...`
 * imports resolve from node_modules.
 *
 * @returns the artifacts and the input hash they belong to.
 * @throws {ContractCompileError} with solc's messages when compilation fails.
 *
 * @example
 * ```ts
 * const artifacts = await compileContracts()
 * artifacts.contracts.Staking.bytecode // '0x6080…'
 * ```
 */
export async function compileContracts(): Promise<DevnetArtifacts> {
  const sources = readContractSources()
  const { default: solc } = (await import('solc')) as unknown as {
    default: { compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string }
  }
  const input = { language: 'Solidity', sources, settings: SOLC_SETTINGS }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new ContractCompileError(`solc failed to compile the devnet contracts (${errors.length} error(s)).`, {
      details: errors.map((e) => e.formattedMessage).join('\n'),
      metaMessages: ['Fix the Solidity in src/devnet/contracts/ and run `npm run compile-contracts`.'],
      code: 'SOLC_FAILED',
    })
  }
  const contracts = Object.fromEntries(
    CONTRACT_NAMES.map((name) => {
      const compiled = output.contracts?.[`${name}.sol`]?.[name]
      if (!compiled) throw new ContractCompileError(`solc produced no output for ${name}.`, { code: 'SOLC_MISSING_OUTPUT' })
      return [name, { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}`, deployedBytecode: `0x${compiled.evm.deployedBytecode.object}` }]
    }),
  ) as Record<ContractName, ContractArtifact>
  return { inputHash: contractsInputHash(sources), solcVersion: compilerFingerprint().solc, contracts }
}

function findImport(path: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') }
  } catch {
    return { error: `File not found: ${path} (only @openzeppelin/... imports resolve from node_modules)` }
  }
}
