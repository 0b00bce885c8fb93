import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { devnetSpecFor, gondolaSpecFor } from '../src/init/gondolaSpec.js'
import { initProject } from '../src/init/initProject.js'

const repo = resolve(import.meta.dirname, '..')
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'gondola-init-'))
  dirs.push(d)
  return d
}

/** A project with gondola installed in node_modules/gondola, its package.json and lockfile as given. */
async function installedIn(manifest: object, lock?: object): Promise<{ project: string; root: string }> {
  const project = await tmp()
  const root = join(project, 'node_modules', 'gondola')
  await mkdir(root, { recursive: true })
  await writeFile(join(project, 'package.json'), JSON.stringify(manifest))
  if (lock) await writeFile(join(project, 'package-lock.json'), JSON.stringify(lock))
  return { project, root }
}

describe('gondola init: the scaffold depends on gondola where it came from', () => {
  it('installed from a tarball: the same file, made absolute (from package.json, else from the lockfile)', async () => {
    const a = await installedIn({ dependencies: { gondola: 'file:../dist/gondola-0.1.0.tgz' } })
    expect(gondolaSpecFor(a.root, '0.1.0')).toBe(`file:${resolve(a.project, '../dist/gondola-0.1.0.tgz')}`)
    // npx <tarball> writes the resolved path into its lockfile
    const b = await installedIn({ name: 'npx' }, { packages: { 'node_modules/gondola': { resolved: 'file:/srv/releases/gondola-0.1.0.tgz' } } })
    expect(gondolaSpecFor(b.root, '0.1.0')).toBe('file:/srv/releases/gondola-0.1.0.tgz')
  })

  it('installed from the registry: ^<version>; a folder that is neither a clone nor installed: ^<version>', async () => {
    const c = await installedIn(
      { dependencies: { gondola: '^0.1.0' } },
      { packages: { 'node_modules/gondola': { resolved: 'https://registry.npmjs.org/gondola/-/gondola-0.1.0.tgz' } } },
    )
    expect(gondolaSpecFor(c.root, '0.1.0')).toBe('^0.1.0')
    expect(gondolaSpecFor(await tmp(), '0.2.0')).toBe('^0.2.0')
  })

  it('from a clone: file:<the clone>, written into the scaffold (was ^0.1.0, a 404 while unpublished)', async () => {
    expect(gondolaSpecFor(repo, '0.1.0')).toBe(`file:${repo}`)
    const dir = join(await tmp(), 'my-agent')
    const result = await initProject({ dir })
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
      devDependencies: Record<string, string>
    }
    expect(pkg.dependencies.gondola).toBe(`file:${repo}`)
    expect(result.gondolaSpec).toBe(`file:${repo}`)
    // The devnet package (anvil, solc, the emulator…) is a devDependency from the same clone, not its toolchain piecemeal.
    expect(pkg.devDependencies['@gondola/devnet']).toBe(`file:${join(repo, 'devnet')}`)
    for (const gone of ['@foundry-rs/anvil', 'solc', 'fastify']) expect(pkg.devDependencies[gone], gone).toBeUndefined()
  })

  it("the devnet package comes from where gondola does: a clone's devnet/, the tarball beside gondola's, the registry", () => {
    expect(devnetSpecFor('file:/src/gondola', '0.1.0')).toEqual({ dep: 'file:/src/gondola/devnet', install: 'file:/src/gondola/devnet' })
    expect(devnetSpecFor('file:/tmp/pack/gondola-0.1.0.tgz', '0.1.0')).toEqual({
      dep: 'file:/tmp/pack/gondola-devnet-0.1.0.tgz',
      install: 'file:/tmp/pack/gondola-devnet-0.1.0.tgz',
    })
    expect(devnetSpecFor('^0.1.0', '0.1.0')).toEqual({ dep: '^0.1.0', install: '@gondola/devnet@^0.1.0' })
  })

  it('an explicit --gondola spec wins', async () => {
    const dir = join(await tmp(), 'pinned')
    await initProject({ dir, gondolaSpec: '^0.1.0' })
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
    expect(pkg.dependencies.gondola).toBe('^0.1.0')
    expect(pkg.devDependencies['@gondola/devnet']).toBe('^0.1.0')
  })
})
