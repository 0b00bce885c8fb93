import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { listAgents, loadAgent } from '../src/registry/index.js'
import { useDevnet } from './helpers/useDevnet.js'
import { cliState } from './helpers/cliState.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const repo = resolve(import.meta.dirname, '..')
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

/** A user's project: agents/weather.ts (a custom tool in the module), a JSON agent naming a tool module, and a broken file. */
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gondola-myproject-'))
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'))
  await mkdir(join(dir, 'agents'))
  await mkdir(join(dir, 'tools'))
  const gondola = JSON.stringify(join(repo, 'src', 'index.js'))
  await writeFile(
    join(dir, 'agents', 'weather.ts'),
    `import { z } from 'zod'
import { defineAgent, defineTool } from ${gondola}

export const getForecast = defineTool({
  name: 'get_forecast',
  description: 'Returns the weather forecast for a city.',
  schema: z.object({ city: z.string().describe('City name, e.g. "Lisbon".') }),
  handler: ({ city }: { city: string }) => ({ city, forecast: 'sunny, 24 °C' }),
})

export default defineAgent({
  name: 'weather',
  system: 'You answer questions about the weather with get_forecast.',
  prompt: 'Call get_forecast for "Lisbon".',
  tools: ['get_forecast'],
  budget: { diemPerRun: 0.01 },
})
`,
  )
  await writeFile(
    join(dir, 'tools', 'tides.ts'),
    `import { z } from 'zod'
import { defineTool } from ${gondola}
export const tools = [defineTool({
  name: 'get_tide',
  description: 'Returns the next high tide for a port.',
  schema: z.object({ port: z.string().describe('Port name, e.g. "Venice".') }),
  handler: ({ port }: { port: string }) => ({ port, highTide: '14:05' }),
})]
`,
  )
  await writeFile(
    join(dir, 'agents', 'tides.json'),
    JSON.stringify({
      name: 'tides',
      prompt: 'Call get_tide for "Venice".',
      tools: ['get_tide'],
      toolModules: ['../tools/tides.ts'],
      budget: { diemPerRun: 0.01 },
    }),
  )
  await writeFile(join(dir, 'agents', 'broken.json'), JSON.stringify({ name: 'broken', tools: ['get_forecast'] }))
  return dir
}

describe('your own agents and tools', () => {
  it('finds agents in ./agents and GONDOLA_AGENTS_DIR, by name or path, with the tools their modules export; says where it looked', async () => {
    const cwd = await project()
    const weather = await loadAgent('weather', { cwd })
    expect(weather).toMatchObject({ kind: 'model', name: 'weather', source: join(cwd, 'agents', 'weather.ts') })
    expect(weather.kind === 'model' && Object.keys(weather.tools ?? {})).toEqual(['get_forecast'])
    const tides = await loadAgent('tides', { cwd })
    expect(tides.kind === 'model' && Object.keys(tides.tools ?? {})).toEqual(['get_tide'])
    expect((await loadAgent('./agents/weather.ts', { cwd })).name).toBe('weather')
    // A JSON agent naming a tool that neither the built-ins nor its modules provide.
    await expect(loadAgent('broken', { cwd })).rejects.toMatchObject({
      code: 'AGENT_UNKNOWN_TOOL',
      shortMessage: expect.stringContaining('unknown tool "get_forecast"'),
    })

    const other = await mkdtemp(join(tmpdir(), 'gondola-elsewhere-'))
    expect((await loadAgent('weather', { cwd: other, agentsDir: join(cwd, 'agents') })).source).toBe(join(cwd, 'agents', 'weather.ts'))
    const err = await loadAgent('wether', { cwd }).catch((e) => e)
    expect(err).toMatchObject({ name: 'UnknownAgentError', shortMessage: 'There is no agent named "wether".' })
    expect(err.metaMessages.join('\n')).toContain(`${join(cwd, 'agents')}/wether{.ts,.mts,.js,.mjs,.json}`)
    expect(err.metaMessages.join('\n')).toMatch(/the shipped agents \(treasurer, social-bot/)
    await expect(loadAgent('./agents/nope.ts', { cwd })).rejects.toMatchObject({ shortMessage: `There is no agent file at ${join(cwd, 'agents', 'nope.ts')}.` })

    const listed = listAgents({ cwd }).map((a) => [a.name, a.source])
    expect(listed).toEqual(
      expect.arrayContaining([
        ['weather', './agents/weather.ts'],
        ['tides', './agents/tides.json'],
        ['treasurer', 'shipped'],
      ]),
    )
  })

  it('`gondola run` runs a project agent with its custom tool from the CLI; --list shows each agent’s source', { timeout: 400_000 }, async () => {
    const d = devnet()
    const cwd = await project()
    const { env } = await cliState(d, emulator().baseURL)
    const gondola = async (...args: string[]) => (await exec(process.execPath, [join(repo, 'bin', 'gondola.js'), ...args], { env, cwd })).stdout
    const json = async (...args: string[]) => JSON.parse((await gondola(...args)).trim().split('\n').at(-1)!)

    const { address } = (await json('wallet', 'new', '--json')) as { address: Address }
    await d.fund(address, { eth: parseEther('1') })
    await json('provision', '--agents', 'weather,tides', '--stake-vvv', '5', '--diem-per-agent', '0.5', '--json')

    const run = await json('run', 'weather', '--json')
    expect(run).toMatchObject({ agent: 'weather', status: 'completed' })
    expect(run.runs[0].toolCalls).toEqual([
      { name: 'get_forecast', arguments: JSON.stringify({ city: 'Lisbon' }), result: JSON.stringify({ city: 'Lisbon', forecast: 'sunny, 24 °C' }) },
    ])
    const byPath = await json('run', './agents/tides.json', '--json')
    expect(byPath.runs[0].toolCalls[0]).toMatchObject({ name: 'get_tide', result: JSON.stringify({ port: 'Venice', highTide: '14:05' }) })

    const list = (await json('run', '--list', '--json')).agents as { name: string; kind: string; source: string }[]
    expect(list.find((a) => a.name === 'weather')).toMatchObject({ kind: 'model', source: './agents/weather.ts' })
    expect(list.find((a) => a.name === 'broken')).toMatchObject({ kind: 'invalid', source: './agents/broken.json' })
    expect(list.find((a) => a.name === 'diem-autopilot')).toMatchObject({ kind: 'script', source: 'shipped' })
    const text = await gondola('run', '--list')
    expect(text).toMatch(/^weather\s+model\s+\.\/agents\/weather\.ts/m)

    const unknown = await exec(process.execPath, [join(repo, 'bin', 'gondola.js'), 'run', 'wether'], { env, cwd }).catch((e) => e)
    expect(unknown.stderr).toContain('There is no agent named "wether"')
    expect(unknown.stderr).toContain(join(cwd, 'agents'))
  })
})
