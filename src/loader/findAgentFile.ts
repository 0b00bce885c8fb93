import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { basename, extname, isAbsolute, join, resolve } from 'node:path'
import { MODULE_EXTENSIONS } from './importModule.js'

/** Every extension an agent file may have: modules, and plain JSON definitions. */
export const AGENT_EXTENSIONS = [...MODULE_EXTENSIONS, '.json'] as const

/** An agent file found on disk: its name (the file name without extension) and absolute path. */
export type AgentFile = { name: string; path: string; dir: string }

/**
 * Where `gondola run` looks for a project's own agents, in order: GONDOLA_AGENTS_DIR, then `./agents` of the
 * current directory. Directories that do not exist, and the shipped agents' own folder (a clone of this repo),
 * are left out.
 *
 * @example
 * ```ts
 * agentSearchDirs({ cwd: '/home/me/bot', agentsDir: undefined, shippedDir: '/…/gondola/dist/agents' }) // ['/home/me/bot/agents']
 * ```
 */
export function agentSearchDirs(o: { cwd: string; agentsDir?: string | undefined; shippedDir: string }): string[] {
  const candidates = [o.agentsDir ? resolve(o.cwd, o.agentsDir) : undefined, join(o.cwd, 'agents')].filter((d): d is string => !!d)
  const shipped = real(o.shippedDir)
  const seen = new Set<string>()
  return candidates.filter((d) => {
    if (!existsSync(d) || !statSync(d).isDirectory()) return false
    const r = real(d)
    if (r === shipped || seen.has(r)) return false
    seen.add(r)
    return true
  })
}

/** Whether an argument names a file rather than an agent: it has a path separator or an agent extension. */
export function looksLikePath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || (AGENT_EXTENSIONS as readonly string[]).includes(extname(arg))
}

/** Resolves a path argument against `cwd`. */
export function resolveAgentPath(arg: string, cwd: string): string {
  return isAbsolute(arg) ? arg : resolve(cwd, arg)
}

/**
 * The agent files directly inside a directory: `<name>.ts|.mts|.js|.mjs|.json`, skipping declaration files,
 * tests, `index.*` and sub-folders (personas, helpers). When a name has several files (a compiled `.js` next
 * to its `.ts`), the first extension in `AGENT_EXTENSIONS` order wins.
 *
 * @example
 * ```ts
 * listAgentFiles('/home/me/bot/agents') // [{ name: 'weather', path: '/home/me/bot/agents/weather.ts', dir: '/home/me/bot/agents' }]
 * ```
 */
export function listAgentFiles(dir: string): AgentFile[] {
  const byName = new Map<string, AgentFile & { rank: number }>()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    const ext = extname(entry.name)
    const rank = (AGENT_EXTENSIONS as readonly string[]).indexOf(ext)
    if (rank < 0 || /\.d\.[mc]?ts$|\.(test|spec)\.[mc]?[jt]s$/.test(entry.name)) continue
    const name = basename(entry.name, ext)
    if (name === 'index' || name.startsWith('.')) continue
    const prev = byName.get(name)
    if (!prev || rank < prev.rank) byName.set(name, { name, path: join(dir, entry.name), dir, rank })
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)).map(({ rank: _r, ...f }) => f)
}

/**
 * The file for agent `name` in the first directory that has one.
 *
 * @example
 * ```ts
 * findAgentFile('weather', ['/home/me/bot/agents'])?.path // '/home/me/bot/agents/weather.ts'
 * ```
 */
export function findAgentFile(name: string, dirs: readonly string[]): AgentFile | undefined {
  for (const dir of dirs) {
    const hit = listAgentFiles(dir).find((f) => f.name === name)
    if (hit) return hit
  }
  return undefined
}

function real(p: string): string {
  try {
    return realpathSync(p)
  } catch {
    return resolve(p)
  }
}
