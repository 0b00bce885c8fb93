import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ExitCode } from '../src/errors/exitCodes.js'
import { TELEMETRY_PACKAGES } from '../src/telemetry/startTelemetry.js'
import { assertInstalled, importOptional, MissingDependencyError, requireOptional, resolveOptional } from '../src/util/optionalDependency.js'

/** A package that is certainly not installed. */
const ABSENT = '@gondola-test/not-installed'

describe('optional peer dependencies (src/util/optionalDependency.ts)', () => {
  it('a missing package fails with one line naming it and the install command (exit 3), from each loader', async () => {
    const errors = [
      await importOptional(`${ABSENT}/sub`, 'The Bluesky channel').catch((e: unknown) => e),
      (() => {
        try {
          requireOptional(ABSENT, 'The Bluesky channel')
        } catch (e) {
          return e
        }
      })(),
      (() => {
        try {
          resolveOptional(`${ABSENT}/dist/x.js`, 'The Bluesky channel')
        } catch (e) {
          return e
        }
      })(),
    ]
    for (const err of errors) {
      expect(err).toBeInstanceOf(MissingDependencyError)
      const e = err as MissingDependencyError
      expect(e.shortMessage).toBe(`The Bluesky channel needs the package ${ABSENT}, which is not installed.`)
      expect(e.metaMessages).toEqual([`Install it beside gondola: npm install ${ABSENT}`])
      expect(e.exitCode).toBe(ExitCode.config)
    }
  })

  it('an installed package loads, ESM or CommonJS, and a missing file inside it is not reported as a missing package', async () => {
    expect(typeof (await importOptional<typeof import('yaml')>('yaml', 'x')).parse).toBe('function')
    expect(typeof requireOptional<typeof import('pg')>('pg', 'x').Pool).toBe('function')
    expect(resolveOptional('echarts/dist/echarts.min.js', 'x')).toMatch(/echarts\.min\.js$/)
    const inside = await importOptional('zod/no-such-entry', 'x').catch((e: unknown) => e)
    expect(inside).not.toBeInstanceOf(MissingDependencyError)
  })

  it('assertInstalled names every missing package at once and the one command for them; installed ones pass', () => {
    expect(() => assertInstalled(['zod', 'yaml', '@opentelemetry/api'], 'x')).not.toThrow()
    let err: unknown
    try {
      assertInstalled(['zod', ABSENT, `${ABSENT}-too`], 'The devnet', { dev: true })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(MissingDependencyError)
    const e = err as MissingDependencyError
    expect(e.shortMessage).toBe(`The devnet needs the packages ${ABSENT}, ${ABSENT}-too, not installed.`)
    expect(e.metaMessages).toEqual([`Install them beside gondola: npm install --save-dev ${ABSENT} ${ABSENT}-too`])
    expect(e.exitCode).toBe(ExitCode.config)
  })

  it("telemetry's packages are optional peers (and this repo's devDependencies), never runtime dependencies", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, unknown>>
    for (const name of TELEMETRY_PACKAGES) {
      expect(pkg.dependencies?.[name], name).toBeUndefined()
      expect(pkg.peerDependencies?.[name], name).toBeDefined()
      expect(pkg.peerDependenciesMeta?.[name], name).toEqual({ optional: true })
      expect(pkg.devDependencies?.[name], name).toBe(pkg.peerDependencies?.[name])
    }
  })

  it("the devnet's toolchain is the @gondola/devnet workspace's own dependencies: neither a dependency nor a peer of gondola, which has the workspace as a devDependency", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, unknown>>
    const devnet = JSON.parse(readFileSync('devnet/package.json', 'utf8')) as Record<string, Record<string, unknown>>
    expect(pkg.workspaces).toEqual(['devnet'])
    expect(pkg.devDependencies?.['@gondola/devnet']).toBe(devnet.version)
    expect(devnet.peerDependencies).toEqual({ gondola: `^${pkg.version}` })
    for (const name of ['@foundry-rs/anvil', 'solc', '@openzeppelin/contracts', 'ajv', 'ajv-formats', 'jose', 'yaml']) {
      expect(devnet.dependencies?.[name], name).toBeDefined()
      expect(pkg.dependencies?.[name], name).toBeUndefined()
      expect(pkg.peerDependencies?.[name], name).toBeUndefined()
    }
  })
})
