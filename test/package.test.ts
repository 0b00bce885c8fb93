/**
 * The package as a user gets it: `npm pack` (which builds dist/), `gondola init` from the compiled CLI on plain
 * Node, an offline install of the tarball into the scaffold (from the npm cache `npm ci` filled), then: imports
 * from .mjs and from .ts under `tsc --noEmit`, the scaffold's own `npm test`, and the README quick start in that
 * project (journey a: a new agent with a custom tool, run from the CLI).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installOffline } from './helpers/offlineInstall.js'

const exec = promisify(execFile)
const repo = resolve(import.meta.dirname, '..')
const PASSWORD = 'correct-horse-battery-staple'
let work: string
let tarball: string
let devnetTarball: string
let proj: string
const children: ChildProcess[] = []

/** Runs a command in the scaffolded project the way a user would type it (npm/npx on PATH, offline). */
function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  return exec(cmd, args, { cwd: proj, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_offline: 'true', GONDOLA_PRIVATE_KEY: '', ...env } })
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gondola-pack-'))
  // `npm pack` runs `prepack` = `npm run build` (tsc + runtime assets), so this also tests the build.
  const { stdout } = await exec('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 })
  tarball = join(work, stdout.trim().split('\n').at(-1)!)
  // The devnet package, from the build `npm pack` just made (its own prepack would build again).
  const devnet = await exec('npm', ['pack', '-w', 'devnet', '--ignore-scripts', '--pack-destination', work, '--loglevel=error'], { cwd: repo })
  devnetTarball = join(work, devnet.stdout.trim().split('\n').at(-1)!)
  // `gondola init` from the compiled CLI on plain Node (no tsx): the package's own bin path.
  await exec(process.execPath, [join(repo, 'dist', 'src', 'cli', 'main.js'), 'init', 'my-agent', '--gondola', `file:${tarball}`], { cwd: work })
  proj = join(work, 'my-agent')
  await installOffline(proj, tarball, devnetTarball)
}, 1_200_000)

afterAll(async () => {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGTERM') // the whole group: npm, sh, and the devnet's node
    } catch {
      // already gone
    }
  }
  // The offline install is ~470 MB: never leave it behind in the temp dir.
  if (work) await rm(work, { recursive: true, force: true, maxRetries: 3 })
})

describe('the packed package, installed offline into a project made by `gondola init`', () => {
  it('ships only what runs, and imports from .mjs and from .ts (tsc --noEmit, with types)', { timeout: 600_000 }, async () => {
    const files = (await exec('tar', ['tzf', tarball])).stdout.split('\n').filter(Boolean)
    expect(files.some((f) => f.startsWith('package/test/') || f.startsWith('package/src/') || f.startsWith('package/scripts/'))).toBe(false)
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/src/index.js',
        'package/dist/src/index.d.ts',
        'package/dist/agents/personas/gondolier.json',
        'package/bin/gondola.js',
        'package/README.md',
      ]),
    )
    // The devnet and the emulator are their own package, with their artifacts, spec and contract sources.
    expect(files.some((f) => /^package\/dist\/(src\/)?(devnet|emulator)\/(?!lazy\.)/.test(f))).toBe(false)
    const devnetFiles = (await exec('tar', ['tzf', devnetTarball])).stdout.split('\n').filter(Boolean)
    expect(devnetFiles).toEqual(
      expect.arrayContaining([
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/emulator/spec/openapi.yaml',
        'package/dist/devnet/artifacts/contracts.json',
        'package/dist/devnet/artifacts/uniswap.json',
        'package/dist/devnet/contracts/Staking.sol',
      ]),
    )
    expect(devnetFiles.some((f) => f.startsWith('package/src/'))).toBe(false)
    const installed = JSON.parse(
      (await exec('node', ['-e', 'process.stdout.write(JSON.stringify(require("gondola/package.json")))'], { cwd: proj })).stdout,
    ) as { dependencies: Record<string, string> }
    expect(Object.keys(installed.dependencies)).not.toContain('tsx')
    // The heavy optional parts are optional peers: not installed with gondola (loaded only by those who use them).
    for (const pkg of ['echarts', '@atproto/api', 'nostr-tools', 'pg', 'pg-boss', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http']) {
      expect(Object.keys(installed.dependencies), pkg).not.toContain(pkg)
      expect(existsSync(join(proj, 'node_modules', pkg)), pkg).toBe(false)
    }
    // The devnet is a package of its own (with anvil, solc, fastify… as its dependencies): the scaffold's devDependency,
    // from beside gondola's tarball; gondola has none of them.
    const devnetPkg = JSON.parse(await readFile(join(repo, 'devnet', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    for (const pkg of ['@gondola/devnet', '@foundry-rs/anvil', 'solc', '@openzeppelin/contracts'])
      expect(Object.keys(installed.dependencies), pkg).not.toContain(pkg)
    expect(Object.keys(devnetPkg.dependencies)).toEqual(expect.arrayContaining(['@foundry-rs/anvil', 'solc', '@openzeppelin/contracts', 'fastify']))
    const scaffold = JSON.parse(await readFile(join(proj, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    expect(scaffold.devDependencies['@gondola/devnet']).toBe(`file:${devnetTarball}`)
    expect(existsSync(join(proj, 'node_modules', '@gondola', 'devnet', 'dist', 'index.js'))).toBe(true)
    // `gondola init` from the installed tarball: the new project depends on that same tarball (not on a registry version).
    const sub = JSON.parse((await sh('npx', ['gondola', 'init', 'sub-agent', '--json'])).stdout) as { gondolaSpec: string }
    expect(sub.gondolaSpec).toBe(`file:${tarball}`)
    const subPkg = JSON.parse(await readFile(join(proj, 'sub-agent', 'package.json'), 'utf8'))
    expect(subPkg.dependencies.gondola).toBe(`file:${tarball}`)
    expect(subPkg.devDependencies['@gondola/devnet']).toBe(`file:${devnetTarball}`)
    await rm(join(proj, 'sub-agent'), { recursive: true, force: true })

    await writeFile(
      join(proj, 'check.mjs'),
      `import { startLocalWorld, defineAgent } from 'gondola'
import { createWallet } from 'gondola/wallet'
import { provision } from 'gondola/keys'
import { createAgentHost } from 'gondola/host'
import { defineTool } from 'gondola/tools'
import { loadAgent } from 'gondola/agents'
const world = await startLocalWorld()
const models = await (await fetch(world.veniceBaseUrl + '/models')).json()
await world.stop()
const social = await loadAgent('social-bot')
console.log(JSON.stringify({ fns: [startLocalWorld, defineAgent, createWallet, provision, createAgentHost, defineTool].map((f) => typeof f), models: models.data.length, social: social.name }))
`,
    )
    const out = JSON.parse((await sh(process.execPath, ['check.mjs'])).stdout)
    expect(out).toMatchObject({ fns: Array(6).fill('function'), social: 'social-bot' })
    expect(out.models).toBeGreaterThan(0)

    await mkdir(join(proj, 'typed'))
    await writeFile(
      join(proj, 'typed', 'check.ts'),
      `import { defineAgent, startLocalWorld, type AgentDefinition, type LocalWorld } from 'gondola'
import { createWallet, type Wallet } from 'gondola/wallet'
import { provision, type ProvisionReturnType } from 'gondola/keys'
import { createAgentHost, type AgentHost } from 'gondola/host'
import { startDevnet, type Emulator } from '@gondola/devnet'
const def: AgentDefinition = defineAgent({ name: 'typed', tools: ['get_runway'] })
const steps: number = def.maxSteps
// @ts-expect-error maxSteps is a number: this line only compiles if the types are real, not \`any\`
const wrong: string = def.maxSteps
export type T = [LocalWorld, Wallet, ProvisionReturnType, AgentHost, Emulator]
export { startLocalWorld, createWallet, provision, createAgentHost, startDevnet, steps, wrong }
`,
    )
    await writeFile(
      join(proj, 'typed', 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['check.ts'],
      }),
    )
    await sh(join(proj, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'typed'])
  })

  it("the scaffold's own `npm test` passes (its agent with a custom tool, against startLocalWorld())", { timeout: 600_000 }, async () => {
    const { stdout } = await sh('npm', ['test'])
    expect(stdout).toMatch(/1 passed/)
  })

  let world: { rpcUrl: string; veniceBaseUrl: string }
  const env = { GONDOLA_KEYSTORE_PASSWORD: PASSWORD }
  const gondola = async (args: string[], extra: Record<string, string> = {}) => (await sh('npx', ['gondola', ...args], { ...env, ...extra })).stdout
  const json = async (args: string[], extra: Record<string, string> = {}) => JSON.parse((await gondola([...args, '--json'], extra)).trim().split('\n').at(-1)!)

  it('journey (a): the README quick start in the scaffold — a new agent with a custom tool, run from the CLI', { timeout: 900_000 }, async () => {
    // npm run devnet   (terminal 1; the emulator's admin endpoint lets journey (b) move its clock)
    const devnet = spawn('npm', ['run', 'devnet', '--', '--json'], {
      cwd: proj,
      env: { ...process.env, ...env, VENICE_EMULATOR_ADMIN: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    })
    children.push(devnet)
    world = await new Promise((res, rej) => {
      createInterface({ input: devnet.stdout! }).on('line', (l) => l.startsWith('{') && res(JSON.parse(l)))
      devnet.once('exit', (code) => rej(new Error(`npm run devnet exited with ${code}`)))
    })
    expect(world.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/)

    expect(await json(['wallet', 'new'])).toMatchObject({ address: expect.stringMatching(/^0x/) })
    await json(['faucet', '--eth', '0.5'])
    const provisioned = await json(['provision', '--agents', 'weather', '--stake-vvv', '10', '--diem-per-agent', '0.5'])
    expect(provisioned.agents).toMatchObject([{ agent: 'weather', status: 'minted', diem: 0.5 }])
    const list = (await json(['run', '--list'])).agents as { name: string; source: string }[]
    expect(list[0]).toMatchObject({ name: 'weather', source: './agents/weather.ts' })

    const run = await json(['run', 'weather'])
    expect(run).toMatchObject({ agent: 'weather', status: 'completed' })
    expect(run.runs[0].toolCalls[0]).toMatchObject({ name: 'get_forecast', result: JSON.stringify({ city: 'Lisbon', forecast: 'sunny, 24 °C' }) })
    const text = await gondola(['run', 'weather', '--prompt', 'Call get_forecast for "Venice".'])
    expect(text).toContain('← {"city":"Venice","forecast":"sunny, 24 °C"}')
    expect(text).not.toContain(PASSWORD)
  })

  it('journey (b): a 20-agent fleet with per-agent limits, re-run idempotently; a new limit rotates; keys mint is idempotent', {
    timeout: 900_000,
  }, async () => {
    const limit = (i: number) => (i === 1 ? 1.5 : 0.25)
    const bots = Array.from({ length: 20 }, (_, i) => `bot${String(i + 1).padStart(2, '0')}`)
    await writeFile(join(proj, 'fleet.csv'), ['agent,diem', ...bots.map((b, i) => `${b},${limit(i + 1)}`)].join('\n'))
    // The wallet already holds 2 keys from (a); 20 more make 22 creations inside a minute: past Venice's 20-a-minute
    // limit. The CLI paces on the API's clock, so moving the emulator's clock (instead of waiting a real minute)
    // ends the wait.
    let warping = true
    const warp = (async () => {
      while (warping) {
        await new Promise((r) => setTimeout(r, 2_000))
        if (warping)
          await fetch(`${world.veniceBaseUrl}/_emulator/clock`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ advanceMs: 20_000 }),
          })
      }
    })()
    let first
    try {
      first = await json(['provision', '--fleet', 'fleet.csv', '--stake-vvv', '10'])
    } finally {
      warping = false
      await warp
    }
    expect(first.agents).toHaveLength(20)
    expect(
      first.agents.map((a: { agent: string; status: string; diem: number; key: { consumptionLimit: { diem: number } } }) => [
        a.agent,
        a.status,
        a.diem,
        a.key.consumptionLimit.diem,
      ]),
    ).toEqual(bots.map((b, i) => [b, 'minted', limit(i + 1), limit(i + 1)]))

    const again = await json(['provision', '--fleet', 'fleet.csv', '--stake-vvv', '10'])
    expect(again.stake.hashes).toEqual([])
    expect(again.admin.status).toBe('kept')
    expect(new Set(again.agents.map((a: { status: string }) => a.status))).toEqual(new Set(['kept']))

    const oldBot02 = first.agents[1].key.id
    const rotated = await json(['provision', '--agents', 'bot02:0.5', '--stake-vvv', '10'])
    expect(rotated.agents).toMatchObject([{ agent: 'bot02', status: 'rotated', diem: 0.5, revoked: [oldBot02], key: { consumptionLimit: { diem: 0.5 } } }])
    const kept = await json(['keys', 'mint', '--agent', 'bot01', '--diem', '1.5'])
    expect(kept).toMatchObject({ status: 'kept', key: { id: first.agents[0].key.id } })

    const keys = (await json(['keys', 'list'])).keys as { id: string; agent?: string; apiKeyType: string }[]
    const perAgent = new Map<string, number>()
    for (const k of keys) if (k.apiKeyType === 'INFERENCE') perAgent.set(k.agent!, (perAgent.get(k.agent!) ?? 0) + 1)
    expect([...perAgent.values()].every((n) => n === 1)).toBe(true)
    expect(keys.map((k) => k.id)).not.toContain(oldBot02)
  })

  it('journey (c): a social bot with a Venice character, from the README', { timeout: 600_000 }, async () => {
    await writeFile(
      join(proj, 'agents', 'satoshi-bot.ts'),
      `import { socialBot } from 'gondola/agents'
export default socialBot({ name: 'satoshi-bot', characterSlug: 'satoshi' })
export { publishPost as run } from 'gondola/agents'   // one run = caption (model) → image → post (code)
`,
    )
    await json(['provision', '--agents', 'satoshi-bot', '--stake-vvv', '10', '--diem-per-agent', '0.5'])
    const run = await json(['run', 'satoshi-bot', '--prompt', 'a gondola at dawn'])
    expect(run).toMatchObject({ agent: 'satoshi-bot', status: 'completed' })
    expect(run.runs.map((r: { toolCalls: { name: string }[] }) => r.toolCalls.map((c) => c.name))).toEqual([[]]) // the model writes the caption; code makes the image and posts
    const post = JSON.parse((await readFile(join(proj, '.gondola', 'outbox', 'outbox.jsonl'), 'utf8')).trim().split('\n').at(-1)!)
    expect(post).toMatchObject({ agent: 'satoshi-bot', image: expect.stringMatching(/\.(webp|png|jpe?g)$/) })
    expect(post.text.length).toBeGreaterThan(0)
  })

  it('journey (d) + state dirs: the Diem autopilot from a fresh state dir with only DEVNET_RPC_URL + VENICE_API_BASE_URL', { timeout: 600_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-elsewhere-'))
    const urls = { GONDOLA_STATE_DIR: stateDir, DEVNET_RPC_URL: world.rpcUrl, VENICE_API_BASE_URL: world.veniceBaseUrl }
    const { address } = await json(['wallet', 'new'], urls)
    await json(['faucet', '--eth', '0.5'], urls)
    await json(['provision', '--agents', 'treasurer', '--stake-vvv', '20'], urls)
    // A Diem-per-day target; the "at least 0.1 staked DIEM" rule (on by default) makes a fresh wallet mint and stake DIEM.
    const auto = { ...urls, GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY: '0.05' }
    const first = await json(['run', 'diem-autopilot'], auto)
    expect(first).toMatchObject({ agent: 'diem-autopilot', kind: 'script', n: 1 })
    expect(first.hashes.length).toBeGreaterThan(0)
    expect(first.summary).toMatch(/Diem\/day/)
    // At target: nothing more to do (rewards that accrued meanwhile may be restaked: at most that one tx).
    const second = await json(['run', 'diem-autopilot'], auto)
    expect(second.hashes.length).toBeLessThanOrEqual(1)
    const balance = await json(['wallet', 'balance'], urls)
    expect(balance.address).toBe(address)
    expect(Number(balance.diem.staked)).toBeGreaterThan(0)
    // devnet.json was never needed: the address book came from the chain.
    await expect(readFile(join(stateDir, 'devnet.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('`gondola init` refuses a non-empty folder unless --force', async () => {
    const main = join(repo, 'dist', 'src', 'cli', 'main.js')
    const refused = await exec(process.execPath, [main, 'init', proj], { cwd: work }).catch((e) => e)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/is not empty .*--force/)
    const forced = await exec(process.execPath, [main, 'init', proj, '--force', '--agent', 'scout', '--json'], { cwd: work })
    expect(JSON.parse(forced.stdout).files).toContain('agents/scout.ts')
  })
})
