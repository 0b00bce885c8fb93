import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const repo = resolve(import.meta.dirname, '..', '..')

type Pkg = { name: string; version: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; engines?: unknown; bin?: unknown }

/**
 * `npm install --offline` for a fresh project that depends on a packed gondola tarball (and, when given, on the
 * packed devnet package, `@gondola/devnet`, as a scaffold from `gondola init` does). The npm cache that
 * `npm ci` filled holds every tarball of this repo's lockfile, but not every registry document npm needs to
 * resolve version ranges from scratch. So the project gets a lockfile built from this repo's (the same pinned
 * versions and integrity hashes, plus the tarball); npm then installs from the cache alone, pruning what the
 * project does not need. `--legacy-peer-deps` as in this repo's .npmrc (the lockfile was resolved that way).
 *
 * @example
 * ```ts
 * await installOffline(projectDir, '/tmp/pack/gondola-0.1.0.tgz', '/tmp/pack/gondola-devnet-0.1.0.tgz')
 * ```
 */
export async function installOffline(dir: string, tarball: string, devnetTarball?: string): Promise<void> {
  const lock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> }
  const own = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as Pkg
  const project = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Pkg
  // This repo's workspace links (node_modules/gondola -> .., node_modules/@gondola/devnet -> devnet) are not the project's.
  const packages = Object.fromEntries(
    Object.entries(lock.packages).filter(
      ([k, v]) => k.startsWith('node_modules/') && !(v as { link?: boolean }).link && !k.startsWith('node_modules/gondola/'),
    ),
  )
  const devnetOwn = JSON.parse(await readFile(join(repo, 'devnet', 'package.json'), 'utf8')) as Pkg & { peerDependencies?: Record<string, string> }
  const devnet = devnetTarball
    ? {
        'node_modules/@gondola/devnet': {
          version: devnetOwn.version,
          resolved: `file:${devnetTarball}`,
          dev: true,
          license: 'MIT',
          dependencies: devnetOwn.dependencies,
          peerDependencies: devnetOwn.peerDependencies,
          engines: devnetOwn.engines,
        },
      }
    : {}
  const root = { name: project.name, version: project.version, dependencies: project.dependencies, devDependencies: project.devDependencies }
  const gondola = { version: own.version, resolved: `file:${tarball}`, license: 'MIT', dependencies: own.dependencies, engines: own.engines, bin: own.bin }
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify(
      {
        name: project.name,
        version: project.version,
        lockfileVersion: 3,
        requires: true,
        packages: { '': root, 'node_modules/gondola': gondola, ...devnet, ...packages },
      },
      null,
      2,
    ),
  )
  await exec('npm', ['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_offline: 'true' },
  })
}
