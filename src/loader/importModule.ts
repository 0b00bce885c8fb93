import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'

/** A user module (agent or tool file) that cannot be loaded. */
export class ModuleLoadError extends BaseError {
  override name = 'ModuleLoadError' as const
  override exitCode = ExitCode.config
}

/** File extensions an agent or tool module may have. */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const

type TsImport = (specifier: string, parentURL: string) => Promise<Record<string, unknown>>

/**
 * Finds tsx's `tsImport`: from the user's project first (next to the file), then from Gondola's own install
 * (a clone of this repo has it as a devDependency). The compiled CLI runs on plain Node, so TypeScript agent
 * files need tsx from somewhere; it is not a runtime dependency.
 */
async function findTsImport(fromDir: string): Promise<TsImport | undefined> {
  for (const base of [join(fromDir, 'noop.js'), join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      // Resolve the package, then its ESM entry from the exports map (`require.resolve` would give the CJS build).
      const pkgPath = createRequire(base).resolve('tsx/package.json')
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> }
      const entry = pkg.exports?.['./esm/api']?.import?.default
      if (!entry) continue
      const path = join(dirname(pkgPath), entry)
      const api = (await import(pathToFileURL(path).href)) as { tsImport?: TsImport }
      if (api.tsImport) return api.tsImport
    } catch {
      // not installed there: try the next place
    }
  }
  return undefined
}

/**
 * Imports a user module by absolute path: `.js`/`.mjs` natively, `.ts`/`.mts` through tsx when it is installed
 * (in the project, or beside Gondola).
 *
 * @throws {ModuleLoadError} when the file is missing, is TypeScript without tsx, or throws while loading.
 *
 * @example
 * ```ts
 * const mod = await importModule('/home/me/bot/agents/weather.ts')
 * mod.default // the agent definition
 * ```
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) throw new ModuleLoadError(`${path} does not exist.`, { code: 'MODULE_MISSING' })
  const url = pathToFileURL(path).href
  const ext = extname(path)
  try {
    if (ext !== '.ts' && ext !== '.mts') return interop((await import(url)) as Record<string, unknown>)
    const tsImport = await findTsImport(dirname(path))
    if (!tsImport) {
      throw new ModuleLoadError(`${path} is TypeScript, and tsx is not installed to load it.`, {
        metaMessages: ['Install it in your project (npm install --save-dev tsx), or compile the file to .js.'],
        code: 'MODULE_NEEDS_TSX',
      })
    }
    return interop(await tsImport(url, import.meta.url))
  } catch (cause) {
    if (cause instanceof ModuleLoadError) throw cause
    // A module's own typed error (an invalid defineAgent/defineTool) is already the clearest message.
    if (cause instanceof BaseError) throw cause
    throw new ModuleLoadError(`${path} failed to load: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, {
      cause,
      code: 'MODULE_LOAD_FAILED',
    })
  }
}

/**
 * A `.ts` file in a folder without `"type": "module"` is loaded as CommonJS: its exports arrive as the
 * namespace's `default`. Unwrap that so `export default defineAgent(…)` and `export const tool = …` read the same.
 */
function interop(ns: Record<string, unknown>): Record<string, unknown> {
  const d = ns.default as Record<string, unknown> | undefined
  const cjs =
    d &&
    typeof d === 'object' &&
    ('__esModule' in d || 'module.exports' in ns) &&
    Object.keys(ns).every((k) => k === 'default' || k === 'module.exports' || k in d)
  return cjs ? d : ns
}
