import { join } from 'node:path'
import type { Chain, Hex, PublicClient, TestClient } from 'viem'
import type { AddressBook } from 'gondola/chain'
import type { DevnetArtifacts } from './compile/compileContracts.js'
import type { DeployParameters } from './deploy/deployParameters.js'
import { addUsdcMarkets, deployDevnet } from './deploy/deployDevnet.js'
import { STATE_CACHE_DIR, deployedStateKey, readSavedDevnet, writeSavedDevnet } from './stateFile.js'

/**
 * Brings a fresh anvil to the deployed state: from `stateFile` when it exists (adding USDC and its pools to
 * a state saved before the devnet had them), else from the deployed-state cache (keyed on the contracts and
 * the deploy scripts, so a cache from before USDC is never used), else by deploying (and filling the cache).
 *
 * @returns the address book, where it came from, and `save()` which writes `stateFile` (if any).
 *
 * @example
 * ```ts
 * const { addresses } = await loadOrDeploy({ publicClient, testClient, chain, artifacts, params, useCache: true })
 * ```
 */
export async function loadOrDeploy(p: {
  publicClient: PublicClient
  testClient: TestClient
  chain: Chain
  artifacts: DevnetArtifacts
  params: DeployParameters
  stateFile?: string | undefined
  useCache: boolean
}): Promise<{ addresses: AddressBook; source: 'deployed' | 'cache' | 'stateFile'; save(): Promise<void> }> {
  const { addresses, source } = await setUp(p)
  const save = async (): Promise<void> => {
    if (p.stateFile) await writeSavedDevnet(p.stateFile, { addresses, state: await p.testClient.dumpState() })
  }
  return { addresses, source, save }
}

async function setUp(p: Parameters<typeof loadOrDeploy>[0]): Promise<{ addresses: AddressBook; source: 'deployed' | 'cache' | 'stateFile' }> {
  const fromFile = p.stateFile ? readSavedDevnet(p.stateFile) : undefined
  if (fromFile) {
    await p.testClient.loadState({ state: fromFile.state })
    // A state saved before the devnet had USDC gets it now, so every devnet has the same contracts (saved again on `save()`).
    const addresses = fromFile.addresses.usdc ? fromFile.addresses : await addUsdcMarkets(p, fromFile.addresses)
    return { addresses, source: 'stateFile' }
  }
  const cacheFile = join(STATE_CACHE_DIR, `${deployedStateKey(p.artifacts.inputHash, p.params)}.json`)
  const cached = p.useCache ? readCachedQuietly(cacheFile) : undefined
  if (cached) {
    await p.testClient.loadState({ state: cached.state })
    return { addresses: cached.addresses, source: 'cache' }
  }
  const addresses = await deployDevnet(p)
  if (p.useCache) await writeSavedDevnet(cacheFile, { addresses, state: (await p.testClient.dumpState()) as Hex })
  return { addresses, source: 'deployed' }
}

function readCachedQuietly(file: string): ReturnType<typeof readSavedDevnet> {
  try {
    return readSavedDevnet(file)
  } catch {
    return undefined
  }
}
