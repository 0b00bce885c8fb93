import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BaseError } from '../errors/BaseError.js'

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

type OwnPackage = {
  name: string
  version: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

/**
 * Gondola's own package.json and its folder, found up the tree from this file (src/init or dist/src/init).
 *
 * @example
 * ```ts
 * gondolaPackage().pkg.version // '0.1.0'
 * ```
 */
export function gondolaPackage(): { pkg: OwnPackage; root: string } {
  for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as OwnPackage
    if (pkg.name === 'gondola') return { pkg, root: d }
  }
  throw new BaseError("Cannot find gondola's own package.json.")
}

/**
 * How a project should depend on the devnet package (`@gondola/devnet`), the same way it depends on gondola
 * (`gondolaSpecFor`): a clone's `devnet/` folder, the devnet tarball beside gondola's (`npm pack --workspaces`
 * writes both into one folder: `gondola-<v>.tgz` and `gondola-devnet-<v>.tgz`), or the registry's same version.
 *
 * @param gondola - how the project depends on gondola (`gondolaSpecFor`, or what `gondola init --gondola` was given).
 * @param version - gondola's version (the devnet package has the same).
 * @returns `dep`, the devDependency's value for a package.json, and `install`, what `npm install` takes.
 *
 * @example
 * ```ts
 * devnetSpecFor('file:/home/me/src/gondola', '0.1.0') // { dep: 'file:/home/me/src/gondola/devnet', install: 'file:/home/me/src/gondola/devnet' }
 * devnetSpecFor('file:/tmp/gondola-0.1.0.tgz', '0.1.0') // dep and install 'file:/tmp/gondola-devnet-0.1.0.tgz'
 * ```
 */
export function devnetSpecFor(gondola: string, version: string): { dep: string; install: string } {
  if (!gondola.startsWith('file:')) return { dep: gondola, install: `@gondola/devnet@${gondola}` }
  const path = gondola.slice('file:'.length)
  const file = path.endsWith('.tgz') ? `file:${join(dirname(path), `gondola-devnet-${version}.tgz`)}` : `file:${join(path, 'devnet')}`
  return { dep: file, install: file }
}
