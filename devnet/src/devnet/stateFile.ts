import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import { z } from 'zod'
import { addressBookSchema, type AddressBook } from 'gondola/chain'
import { atomicWrite } from 'gondola/util'
import type { DeployParameters } from './deploy/deployParameters.js'
import { uniswapVersions } from './deploy/uniswapArtifacts.js'
import { DevnetStateError } from './errors.js'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * Where deployed chain states are cached between runs: `node_modules/.cache/gondola-devnet` of the project
 * that holds this package (the find-cache-dir convention), whether it runs from `src/` in this repo, from
 * `dist/` after a build, or from `node_modules/gondola/dist` in a user's project.
 */
export const STATE_CACHE_DIR = join(nodeModulesOf(here), '.cache', 'gondola-devnet')

function nodeModulesOf(dir: string): string {
  const at = dir.lastIndexOf(`${sep}node_modules${sep}`)
  if (at >= 0) return dir.slice(0, at + `${sep}node_modules`.length)
  // Not installed: this repo (src/devnet or dist/src/devnet); its package.json is the first one up the tree.
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return join(d, 'node_modules')
  return join(dir, 'node_modules')
}

/** A saved devnet: the address book plus anvil's `anvil_dumpState` blob. */
export type SavedDevnet = { addresses: AddressBook; state: Hex }

const savedDevnetSchema = z.object({ version: z.literal(1), addresses: addressBookSchema, state: z.string().regex(/^0x[0-9a-fA-F]*$/) })

/**
 * Cache key of a deployed state: contract artifacts, Uniswap versions, deploy parameters and
 * the deploy scripts themselves. Any change to one of them deploys afresh.
 *
 * @example
 * ```ts
 * const key = deployedStateKey(artifacts.inputHash, defaultDeployParameters)
 * ```
 */
export function deployedStateKey(artifactsHash: string, params: DeployParameters): string {
  const deployDir = join(here, 'deploy')
  const scripts = readdirSync(deployDir)
    .sort()
    .map((f) => readFileSync(join(deployDir, f), 'utf8'))
  const json = JSON.stringify({ artifactsHash, uniswap: uniswapVersions(), params, scripts }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  return createHash('sha256').update(json).digest('hex').slice(0, 32)
}

/**
 * Reads a saved devnet, or undefined when the file does not exist.
 *
 * @throws {DevnetStateError} when the file exists but is not a saved devnet.
 *
 * @example
 * ```ts
 * const saved = readSavedDevnet('devnet-state.json')
 * ```
 */
export function readSavedDevnet(path: string): SavedDevnet | undefined {
  if (!existsSync(path)) return undefined
  try {
    const parsed = savedDevnetSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
    return { addresses: parsed.addresses as AddressBook, state: parsed.state as Hex }
  } catch (err) {
    throw new DevnetStateError(`${path} is not a saved Gondola devnet state.`, {
      cause: err,
      metaMessages: ['Delete the file or pass another --state path.'],
      code: 'DEVNET_STATE_INVALID',
    })
  }
}

/** Writes a saved devnet atomically. */
export async function writeSavedDevnet(path: string, saved: SavedDevnet): Promise<void> {
  await atomicWrite(path, JSON.stringify({ version: 1, ...saved }), { mode: 0o644 })
}
