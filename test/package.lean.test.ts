/**
 * The runtime package as a user who wants a wallet and an agent loop installs it (issue #25): `npm pack`, then the
 * tarball alone in an empty project, runtime dependencies only (a dependency's devDependencies and optional peers
 * are never installed; offline, from the npm cache `npm ci` filled). There:
 * - none of the devnet's packages, nor OpenTelemetry, nor the other optional parts, is installed;
 * - `gondola --help`, `gondola wallet address` and `import('gondola')` work, and what they load (recorded by a
 *   module-resolution hook) holds nothing of OpenTelemetry, the devnet or the emulator; `wallet address` no viem;
 * - the devnet (CLI and library), a package of its own (@gondola/devnet), fails with exit 3 naming it and the
 *   command that installs it from beside this tarball; telemetry names every package it misses and its command.
 * Sizes and timings are the bench's job (`npm run bench -- runtime`), not a test's.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TELEMETRY_PACKAGES } from '../src/telemetry/startTelemetry.js'
import { MCP_PACKAGES, X402_PACKAGES } from '../src/util/optionalDependency.js'
import { installOffline } from './helpers/offlineInstall.js'

const exec = promisify(execFile)
const repo = resolve(import.meta.dirname, '..')
/** The devnet package and its own dependencies (anvil, solc, fastify…): none is installed with gondola. */
const DEVNET_PACKAGES = [
  '@gondola/devnet',
  ...Object.keys((JSON.parse(readFileSync(join(repo, 'devnet', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies),
].filter((pkg) => !['viem', 'zod'].includes(pkg)) // gondola's own runtime dependencies too
/** anvil's first published development key: a test key with no value anywhere. */
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const DEV_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
let work: string
let proj: string
let tarball: string

/** A `--import` hook that prints every module URL the process resolved (ESM) or required (CJS), at exit, to stderr. */
const HOOK = {
  'register.mjs': `import { register, createRequire } from 'node:module'
import { writeSync } from 'node:fs'
const { port1, port2 } = new MessageChannel()
const seen = new Set()
port1.on('message', (url) => seen.add(url))
port1.unref()
register('./hooks.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] })
process.on('exit', () => {
  for (const f of Object.keys(createRequire(import.meta.url).cache)) seen.add(f)
  writeSync(2, '\\nLOADED ' + JSON.stringify([...seen]) + '\\n')
})
`,
  'hooks.mjs': `let port
export function initialize(data) { port = data.port }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  port.postMessage(r.url)
  return r
}
`,
}

type Run = { code: number; stdout: string; stderr: string; loaded: string[] }

/** Runs node in the project (a clean environment: no OTEL_*, no wallet), with the hook when `traced`. */
async function node(args: string[], env: Record<string, string> = {}, traced = false): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('GONDOLA_')))
  const argv = traced ? ['--import', join(proj, 'hook', 'register.mjs'), ...args] : args
  const r = await exec(process.execPath, argv, { cwd: proj, env: { ...clean, GONDOLA_STATE_DIR: join(proj, '.gondola'), ...env } }).then(
    (ok) => ({ ...ok, code: 0 }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  )
  const marker = r.stderr.lastIndexOf('\nLOADED ')
  const loaded = marker < 0 ? [] : (JSON.parse(r.stderr.slice(marker + '\nLOADED '.length)) as string[])
  return { code: r.code, stdout: r.stdout, stderr: marker < 0 ? r.stderr : r.stderr.slice(0, marker), loaded }
}

const bin = () => join(proj, 'node_modules', 'gondola', 'bin', 'gondola.js')
/** The loaded modules that belong to OpenTelemetry, the devnet, the emulator or the devnet's packages. */
const heavy = (loaded: string[]) =>
  loaded.filter(
    (u) =>
      u.includes('/node_modules/@opentelemetry/') ||
      /\/dist\/src\/(devnet|emulator)\/(?!lazy\.js$)/.test(u) ||
      DEVNET_PACKAGES.some((pkg) => u.includes(`/node_modules/${pkg}/`)),
  )

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gondola-lean-'))
  const { stdout } = await exec('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 })
  tarball = join(work, stdout.trim().split('\n').at(-1)!)
  proj = join(work, 'app')
  await mkdir(join(proj, 'hook'), { recursive: true })
  await writeFile(
    join(proj, 'package.json'),
    JSON.stringify({ name: 'app', version: '0.0.0', private: true, type: 'module', dependencies: { gondola: `file:${tarball}` } }),
  )
  for (const [name, text] of Object.entries(HOOK)) await writeFile(join(proj, 'hook', name), text)
  await installOffline(proj, tarball)
}, 1_200_000)

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true, maxRetries: 3 })
})

describe('the runtime package installed alone (runtime dependencies only)', () => {
  it('installs none of the devnet, OpenTelemetry or the other optional parts; one copy of ox (viem’s)', () => {
    const installed = JSON.parse(readFileSync(join(proj, 'node_modules', 'gondola', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    const optional = [
      ...DEVNET_PACKAGES,
      ...TELEMETRY_PACKAGES,
      '@opentelemetry/semantic-conventions',
      'echarts',
      '@atproto/api',
      'nostr-tools',
      'pg',
      'pg-boss',
      ...MCP_PACKAGES,
      ...X402_PACKAGES,
    ]
    expect(Object.keys(installed.dependencies).filter((pkg) => optional.includes(pkg))).toEqual([])
    // Nor luxon (cron-parser's; schedules are read with croner) nor the MCP SDK's HTTP stack.
    const absent = [...optional, 'tsx', 'luxon', 'cron-parser', 'hono', 'express']
    expect(absent.filter((pkg) => existsSync(join(proj, 'node_modules', pkg)))).toEqual([])
    expect(existsSync(join(proj, 'node_modules', 'ox'))).toBe(true)
    expect(existsSync(join(proj, 'node_modules', 'viem', 'node_modules', 'ox'))).toBe(false)
  })

  it('`gondola --help` and `--version` work (every command module loads without the devnet)', { timeout: 120_000 }, async () => {
    const help = await node([bin(), '--help'])
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toMatch(/devnet/)
    expect((await node([bin(), '--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('`gondola wallet address` prints the address, from a raw key and from a keystore, loading neither OpenTelemetry, the devnet nor viem', {
    timeout: 120_000,
  }, async () => {
    const raw = await node([bin(), 'wallet', 'address'], { GONDOLA_PRIVATE_KEY: DEV_KEY }, true)
    expect(raw).toMatchObject({ code: 0, stdout: `${DEV_ADDRESS}\n` })
    expect(raw.loaded.length).toBeGreaterThan(10) // the hook saw the process
    expect(heavy(raw.loaded)).toEqual([])
    expect(raw.loaded.filter((u) => u.includes('/node_modules/viem/'))).toEqual([])

    // The keystore's address field (lowercase, no 0x, as ethers writes it): no password, no decryption.
    await writeFile(join(proj, 'ks.json'), JSON.stringify({ address: DEV_ADDRESS.slice(2).toLowerCase(), version: 3, crypto: {} }))
    const ks = await node([bin(), 'wallet', 'address', '--json'], { GONDOLA_KEYSTORE: join(proj, 'ks.json') }, true)
    expect(ks).toMatchObject({ code: 0 })
    expect(JSON.parse(ks.stdout)).toEqual({ address: DEV_ADDRESS })
    expect(heavy(ks.loaded)).toEqual([])
    expect(ks.loaded.filter((u) => u.includes('/node_modules/viem/'))).toEqual([])
  })

  it("`import('gondola')` works and loads neither OpenTelemetry nor the devnet", { timeout: 120_000 }, async () => {
    const script = `const g = await import('gondola')
console.log(JSON.stringify(['createWallet', 'provision', 'createAgentHost', 'defineAgent', 'startLocalWorld', 'createMcpServer'].map((k) => typeof g[k])))`
    const r = await node(['--input-type=module', '-e', script], {}, true)
    expect(r).toMatchObject({ code: 0 })
    expect(JSON.parse(r.stdout)).toEqual(Array(6).fill('function'))
    expect(heavy(r.loaded)).toEqual([])
  })

  it('the devnet names its package and the command that installs it from beside this tarball (exit 3), from the CLI and the library', {
    timeout: 120_000,
  }, async () => {
    expect(existsSync(join(proj, 'node_modules', '@gondola', 'devnet'))).toBe(false)
    const hint = `npm install --save-dev file:${join(work, 'gondola-devnet-0.1.0.tgz')}`
    const cli = await node([bin(), 'devnet'])
    expect(cli.code).toBe(3)
    expect(cli.stderr).toContain(hint)
    const lib = await node([
      '--input-type=module',
      '-e',
      `const { startLocalWorld } = await import('gondola')
try { await startLocalWorld() } catch (err) { console.log(JSON.stringify({ name: err.name, exitCode: err.exitCode, message: err.message, hint: err.metaMessages })) }`,
    ])
    const err = JSON.parse(lib.stdout)
    expect(err).toMatchObject({ name: 'MissingDependencyError', exitCode: 3 })
    expect(err.message).toContain('@gondola/devnet')
    expect(err.hint.join(' ')).toContain(hint)
  })

  it('the MCP server and the x402 rail name the packages they miss (exit 3), before a wallet is opened or anything signed', { timeout: 120_000 }, async () => {
    const mcp = await node([bin(), 'mcp'], { GONDOLA_PRIVATE_KEY: DEV_KEY })
    expect(mcp).toMatchObject({ code: 3, stdout: '' })
    expect(mcp.stderr).toContain(`npm install ${MCP_PACKAGES.join(' ')}`)
    const topup = await node([bin(), 'x402', 'topup', '--usd', '5'], { GONDOLA_PRIVATE_KEY: DEV_KEY })
    expect(topup).toMatchObject({ code: 3, stdout: '' })
    expect(topup.stderr).toContain(`npm install ${X402_PACKAGES.join(' ')}`)
    const run = await node([bin(), 'run', 'treasurer', '--pay', 'x402'], { GONDOLA_PRIVATE_KEY: DEV_KEY })
    expect(run).toMatchObject({ code: 3, stdout: '' })
    expect(run.stderr).toContain(`npm install ${X402_PACKAGES.join(' ')}`)
  })

  it('telemetry switched on without the OpenTelemetry packages names them all (exit 3), and the command does not run', { timeout: 120_000 }, async () => {
    const r = await node([bin(), 'wallet', 'address'], { GONDOLA_PRIVATE_KEY: DEV_KEY, OTEL_TRACES_EXPORTER: 'console' })
    expect(r).toMatchObject({ code: 3, stdout: '' })
    expect(r.stderr).toContain(`npm install ${TELEMETRY_PACKAGES.join(' ')}`)
  })
})
