import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
type Lock = { packages?: Record<string, { resolved?: string }> }

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** `file:<absolute path>` for a `file:` spec written relative to `project`; undefined for any other spec. */
function absoluteFile(spec: string | undefined, project: string): string | undefined {
  return spec?.startsWith('file:') ? `file:${resolve(project, spec.slice('file:'.length))}` : undefined
}

/**
 * How a new project should depend on gondola: on wherever this gondola came from.
 * - Installed from a tarball or a folder (`npm install ../gondola-0.1.0.tgz`, `npx <tarball>`): the same
 *   `file:` path, made absolute (read from the installing project's package.json or lockfile).
 * - Run from a clone (its `src/` beside `package.json`): `file:<the clone>`.
 * - Installed from the registry: `^<version>`.
 *
 * @param root - gondola's own package folder (where its package.json is).
 * @param version - gondola's version.
 *
 * @example
 * ```ts
 * gondolaSpecFor('/home/me/app/node_modules/gondola', '0.1.0') // 'file:/home/me/gondola-0.1.0.tgz' when app depends on "file:../gondola-0.1.0.tgz"
 * gondolaSpecFor('/home/me/src/gondola', '0.1.0')              // 'file:/home/me/src/gondola' (a clone)
 * ```
 */
export function gondolaSpecFor(root: string, version: string): string {
  if (basename(dirname(root)) === 'node_modules') {
    const project = dirname(dirname(root))
    const manifest = readJson<Manifest>(join(project, 'package.json'))
    const lock = readJson<Lock>(join(project, 'package-lock.json'))
    return (
      absoluteFile(manifest?.dependencies?.gondola ?? manifest?.devDependencies?.gondola, project) ??
      absoluteFile(lock?.packages?.['node_modules/gondola']?.resolved, project) ??
      `^${version}`
    )
  }
  if (existsSync(join(root, 'src', 'cli', 'main.ts'))) return `file:${root}`
  return `^${version}`
}
