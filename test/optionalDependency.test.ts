import { describe, expect, it } from 'vitest'
import { ExitCode } from '../src/errors/exitCodes.js'
import { importOptional, MissingDependencyError, requireOptional, resolveOptional } from '../src/util/optionalDependency.js'

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
})
