import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { AgentDefinition } from '../src/agent/defineAgent.js'
import { fundingPolicyFromEnv } from '../src/agent/fundingPolicy.js'
import { readEnv } from '../src/config/env.js'
import { initProject } from '../src/init/initProject.js'

/** The scaffold's agent module, imported for real: its `from 'gondola'` pointed at this checkout's source. */
async function scaffoldedAgent(): Promise<{ def: AgentDefinition; testFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'gondola-init-funding-'))
  const { agent } = await initProject({ dir: join(dir, 'my-agent') })
  const source = await readFile(join(dir, 'my-agent', 'agents', `${agent}.ts`), 'utf8')
  const local = join(dir, `${agent}.ts`)
  await writeFile(local, source.replaceAll("from 'gondola'", `from '${pathToFileURL(resolve('src/index.ts')).href}'`))
  const def = ((await import(pathToFileURL(local).href)) as { default: AgentDefinition }).default
  return { def, testFile: await readFile(join(dir, 'my-agent', 'test', `${agent}.test.ts`), 'utf8') }
}

describe('the scaffold reads its funding policy from the environment (issue #26)', () => {
  it("GONDOLA_FUNDING_MIN_RUNWAY_HOURS reaches the scaffolded agent's policy (it hard-coded minRunwayHours: 24)", async () => {
    const { def, testFile } = await scaffoldedAgent()
    const env = readEnv({ GONDOLA_FUNDING_MIN_RUNWAY_HOURS: '6', GONDOLA_FUNDING_COOLDOWN_SECONDS: '120', GONDOLA_FUNDING_TOPUP_ETH: '0.02' })
    // What `gondola run` builds for it (cliHost), and what the scaffold's own test builds.
    expect(fundingPolicyFromEnv(env, def.funding)).toEqual({
      minRunwayHours: 6,
      cooldownMs: 120_000,
      ethPerTopUp: 20_000_000_000_000_000n,
      mintDiem: true,
      rail: 'diem',
    })
    expect(fundingPolicyFromEnv(readEnv({}), def.funding).minRunwayHours).toBe(24) // the documented default, from the env layer
    expect(testFile).toContain('funding: fundingPolicyFromEnv(readEnv(), agent.funding)')
    expect(testFile).not.toMatch(/minRunwayHours: \d/)
  })

  it("an agent's own funding overrides win over the environment, and a bad value names the field", () => {
    const env = readEnv({ GONDOLA_FUNDING_MIN_RUNWAY_HOURS: '6' })
    expect(fundingPolicyFromEnv(env, { minRunwayHours: 48, cooldownSeconds: 0 })).toMatchObject({ minRunwayHours: 48, cooldownMs: 0 })
    expect(() => fundingPolicyFromEnv(env, { minRunwayHours: 0 })).toThrow(
      expect.objectContaining({ exitCode: 3, shortMessage: expect.stringMatching(/^funding\.minRunwayHours: /) }),
    )
  })
})
