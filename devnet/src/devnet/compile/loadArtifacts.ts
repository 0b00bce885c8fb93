import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { atomicWrite } from 'gondola/util'
import { compileContracts, type DevnetArtifacts } from './compileContracts.js'
import { contractsInputHash } from './contractSources.js'

/** Where compiled artifacts live (committed, so a fresh clone does not need solc at runtime). */
export const ARTIFACTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts', 'contracts.json')

/**
 * Reads the cached artifacts when their input hash matches the current sources, compiler and
 * settings; otherwise compiles (≈2 s) and rewrites the cache.
 *
 * @param options - `file` to use another cache file; `force` to recompile regardless.
 * @returns the artifacts and whether they were freshly compiled.
 *
 * @example
 * ```ts
 * const { artifacts, compiled } = await loadArtifacts()
 * ```
 */
export async function loadArtifacts(options: { file?: string; force?: boolean } = {}): Promise<{ artifacts: DevnetArtifacts; compiled: boolean }> {
  const file = options.file ?? ARTIFACTS_FILE
  if (!options.force) {
    const cached = readCached(file)
    if (cached && cached.inputHash === contractsInputHash()) return { artifacts: cached, compiled: false }
  }
  const artifacts = await compileContracts()
  await atomicWrite(file, `${JSON.stringify(artifacts, null, 1)}\n`, { mode: 0o644 })
  return { artifacts, compiled: true }
}

/** True when the cache file exists and was built from the current sources. */
export function artifactsAreFresh(file = ARTIFACTS_FILE): boolean {
  return readCached(file)?.inputHash === contractsInputHash()
}

function readCached(file: string): DevnetArtifacts | undefined {
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevnetArtifacts
  } catch {
    return undefined
  }
}
