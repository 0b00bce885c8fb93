import { execFile } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { ArgsDef, CommandDef } from 'citty'
import { parseEther, type Address } from 'viem'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli, main } from '../src/cli/runCli.js'
import { createKeystore } from '../src/wallet/accounts/createKeystore.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

type AnyCommand = CommandDef<ArgsDef>
const resolve = async <T>(v: unknown): Promise<T> => (typeof v === 'function' ? await (v as () => T)() : await (v as T))

/** Every runnable command under `main`, as its path and declared args. */
async function leaves(command: AnyCommand = main, path: string[] = []): Promise<{ path: string[]; args: ArgsDef }[]> {
  const subs = command.subCommands ? await resolve<Record<string, unknown>>(command.subCommands) : undefined
  if (subs && Object.keys(subs).length) {
    const out = []
    for (const [name, sub] of Object.entries(subs)) out.push(...(await leaves(await resolve<AnyCommand>(sub), [...path, name])))
    return out
  }
  return [{ path, args: await resolve<ArgsDef>(command.args ?? {}) }]
}

/**
 * Arguments that make each command really act (send a transaction, mint a key, start a devnet…), so that
 * a flag check that let the typo through would show up as a nonce, a request or a file. Commands missing
 * here run with no arguments but the typo, which is checked all the same.
 */
const ACTING: Record<string, string[]> = {
  swap: ['--eth', '0.001'],
  stake: ['--vvv', '0.001'],
  claim: [],
  provision: ['--agents', 'treasurer', '--stake-vvv', '1'],
  faucet: ['--eth', '1', '--vvv', '1'],
  'keys mint': ['--type', 'ADMIN'],
  'keys show': ['abc'],
  'keys revoke': ['abc'],
  'keys rotate': ['abc'],
  'unstake start': ['--vvv', '0.001'],
  'diem mint': ['--svvv', '0.001'],
  'diem burn': ['--diem', '0.001'],
  'diem stake': ['--diem', '0.001'],
  'diem unstake start': ['--diem', '0.001'],
  run: ['treasurer'],
}

/** A typo of `--name`: `-`→`_` when it has one, else the last two letters swapped (`json` → `jsno`) or the last one dropped (`vvv` → `vv`). */
function typo(name: string): string {
  if (name.includes('-')) return name.replace('-', '_')
  if (name.at(-1) !== name.at(-2)) return `${name.slice(0, -2)}${name.at(-1)}${name.at(-2)}`
  return name.slice(0, -1)
}

let address: Address
let stateDir: string

/** What a command could have changed: chain (block, nonce, balance), the Venice emulator, the state dir. */
async function footprint() {
  const d = devnet()
  // The emulator numbers every request it sees in CF-RAY (prefix, 8 hex digits, "-EMU"); this probe is one of them.
  const ray = (await fetch(`${emulator().baseURL}/models`)).headers.get('cf-ray')!
  const files = await readdir(stateDir, { recursive: true })
  return {
    // cacheTime 0: viem otherwise reuses a block number read in the last polling interval (4 s), so "before" and
    // "after" could compare a cached number with a fresh one when the binaries are slow (one failure under full load).
    block: await d.publicClient.getBlockNumber({ cacheTime: 0 }),
    nonce: await d.publicClient.getTransactionCount({ address }),
    balance: await d.publicClient.getBalance({ address }),
    veniceRequests: Number.parseInt(ray.slice(8, 16), 16),
    files: await Promise.all(files.sort().map(async (f) => `${f} ${(await stat(join(stateDir, f))).mtimeMs}`)),
  }
}

function expectNothingHappened(before: Awaited<ReturnType<typeof footprint>>, after: Awaited<ReturnType<typeof footprint>>, probes: number): void {
  expect({ ...after, veniceRequests: after.veniceRequests - probes }).toEqual(before)
}

describe('every command rejects unknown and repeated flags before doing anything', () => {
  beforeAll(async () => {
    const state = await cliState(devnet(), emulator().baseURL)
    stateDir = state.stateDir
    for (const [k, v] of Object.entries(state.env)) if (k.startsWith('GONDOLA_') || k.startsWith('VENICE_')) vi.stubEnv(k, v ?? '')
    vi.stubEnv('GONDOLA_NETWORK', 'devnet')
    vi.stubEnv('NO_COLOR', '1')
    ;({ address } = await createKeystore({ path: join(stateDir, 'wallet.keystore.json'), password: CLI_TEST_PASSWORD }))
  })
  afterEach(() => {
    process.exitCode = undefined
  })

  it('in-process walk: a typo of every flag of every command, and every value flag twice → exit 2, no chain tx, no Venice request, no file', async () => {
    await devnet().fund(address, { eth: parseEther('1'), vvv: parseEther('10') })
    const all = await leaves()
    expect(all.length).toBeGreaterThanOrEqual(25)
    const stderr: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true))
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const before = await footprint()
    const cases: { argv: string[]; expect: RegExp }[] = []
    for (const { path, args } of all) {
      const acting = ACTING[path.join(' ')] ?? []
      const flags = Object.entries(args).filter(([, d]) => d.type !== 'positional')
      cases.push({ argv: [...path, ...acting, '--definitely-not-a-flag'], expect: /Unknown flag --definitely-not-a-flag/ })
      for (const [name, def] of flags) {
        cases.push({
          argv: [...path, ...acting, `--${typo(name)}`, ...(def.type === 'boolean' ? [] : ['1'])],
          expect: new RegExp(`Unknown flag --${typo(name)} .*Did you mean --${name}\\?`),
        })
        const value = def.type === 'boolean' ? [] : ['1']
        cases.push({
          argv: [...path, ...acting.filter((a, i, l) => a !== `--${name}` && l[i - 1] !== `--${name}`), `--${name}`, ...value, `--${name}`, ...value],
          expect: new RegExp(`--${name} is given more than once`),
        })
      }
    }
    for (const c of cases) {
      stderr.length = 0
      const code = await runCli(c.argv)
      expect({ argv: c.argv.join(' '), code }).toEqual({ argv: c.argv.join(' '), code: 2 })
      expect(stderr.join(''), c.argv.join(' ')).toMatch(c.expect)
    }
    vi.restoreAllMocks()
    expectNothingHappened(before, await footprint(), 1)
    expect(cases.length).toBeGreaterThan(100)
  })

  it('the binary: the four typos of issue #10 exit 2 with a hint; nothing is sent or minted', async () => {
    await devnet().fund(address, { eth: parseEther('1'), vvv: parseEther('10') })
    const env = {
      ...process.env,
      GONDOLA_STATE_DIR: stateDir,
      GONDOLA_KEYSTORE_PASSWORD: CLI_TEST_PASSWORD,
      GONDOLA_PRIVATE_KEY: '',
      GONDOLA_NETWORK: 'devnet',
      NO_COLOR: '1',
    }
    const gondola = (...args: string[]) =>
      exec(process.execPath, ['bin/gondola.js', ...args], { env }).then(
        () => ({ code: 0, stderr: '', stdout: '' }),
        (e: { code: number; stderr: string; stdout: string }) => e,
      )
    const before = await footprint()
    const results = await Promise.all([
      gondola('swap', '--eth', '0.001', '--dryrun'),
      gondola('stake', '--vvv', '0.001', '--dry_run'),
      gondola('provision', '--agent', 'foo-bot'),
      gondola('swap', '--eth', '0.01', '--eth', '0.02', '--json'),
    ])
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2])
    expect(results[0]!.stderr).toBe('gondola: Unknown flag --dryrun for `gondola swap`. Nothing was done. Did you mean --dry-run?\n')
    expect(results[1]!.stderr).toContain('Did you mean --dry-run?')
    expect(results[2]!.stderr).toContain('Unknown flag --agent for `gondola provision`. Nothing was done. Did you mean --agents?')
    expect(JSON.parse(results[3]!.stdout)).toEqual({
      error: { name: 'CLIError', message: '--eth is given more than once (0.01 and 0.02).', hint: 'Give each flag once.', exitCode: 2 },
    })
    expectNothingHappened(before, await footprint(), 1)
  })
})
