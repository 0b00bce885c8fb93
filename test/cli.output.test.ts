import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { displayJson, formatAmount, formatNumber } from '../src/cli/format.js'
import { waitText, withSpinner } from '../src/cli/output.js'
import { colorEnabled } from '../src/config/env.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { provision } from '../src/keys/provision.js'
import { configureLogging } from '../src/util/logger.js'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { cliState } from './helpers/cliState.js'
import { stakedWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('the display formatter', () => {
  it('rounds floats and token amounts for people, never hiding dust, and cleans float noise in JSON', () => {
    expect(formatNumber(0.031000000000000003)).toBe('0.031')
    expect(formatNumber(0.1 + 0.2)).toBe('0.3')
    expect(formatNumber(12)).toBe('12')
    expect(formatNumber(2 / 3)).toBe('0.666667')
    expect(formatNumber(0.00000012)).toBe('0.00000012')
    expect(formatNumber(-0.0000004)).toBe('-0.0000004')
    expect(formatNumber(0.5, { minFraction: 6 })).toBe('0.500000')
    expect(formatNumber(1.23456789, { maxFraction: 7 })).toBe('1.2345679')
    expect(formatAmount(9_970_314_528_312_451_123n)).toBe('9.970315')
    expect(formatAmount(parseEther('0.01'))).toBe('0.01')
    expect(formatAmount(parseEther('10000'))).toBe('10000')
    expect(formatAmount(120n)).toBe('0.00000000000000012')
    expect(formatAmount(0n)).toBe('0')
    expect(formatAmount(-parseEther('1.5'))).toBe('-1.5')
    expect(formatAmount(1_234_567n, 6)).toBe('1.234567')
    expect(JSON.stringify({ a: 0.031000000000000003, b: 5n, c: 3 }, (_k, v) => displayJson(v))).toBe('{"a":0.031,"b":"5","c":3}')
  })
})

describe('colour', () => {
  it('only on a TTY, NO_COLOR and FORCE_COLOR honoured', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true)
    expect(colorEnabled({ isTTY: false }, {})).toBe(false)
    expect(colorEnabled({}, {})).toBe(false)
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true)
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false)
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false)
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(true)
  })

  it('`--help` piped has no ANSI codes unless FORCE_COLOR; --version prints package.json', async () => {
    const { CI: _ci, TEST: _test, NO_COLOR: _nc, FORCE_COLOR: _fc, ...clean } = process.env
    const [piped, forced, version] = await Promise.all([
      exec(process.execPath, ['bin/gondola.js', 'swap', '--help'], { env: clean }),
      exec(process.execPath, ['bin/gondola.js', 'swap', '--help'], { env: { ...clean, FORCE_COLOR: '1' } }),
      exec(process.execPath, ['bin/gondola.js', '--version'], { env: clean }),
    ])
    expect(piped.stdout).toContain('--dry-run')
    expect(piped.stdout).not.toContain('\u001B[')
    expect(forced.stdout).toContain('\u001B[')
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(version.stdout).toBe(`${pkg.version}\n`)
  })
})

describe('progress on stderr', () => {
  it('without a terminal, each update is an info log line (component progress) with its fields', async () => {
    const lines: string[] = []
    configureLogging({ level: 'info', write: (l) => lines.push(l) })
    try {
      const result = await withSpinner(
        'Provisioning',
        async (update) => {
          update(waitText("Venice's key-creation limit (20 a minute)", 38_200, { done: 12, total: 20, unit: 'keys minted' }), {
            waitMs: 38_200,
            minted: 12,
            toMint: 20,
          })
          update('Provisioning: swap sent, waiting for its receipt', { hash: '0xabc' })
          return 7
        },
        { json: true },
      )
      expect(result).toBe(7)
    } finally {
      configureLogging({ level: 'silent' })
    }
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'info', component: 'progress', msg: 'Provisioning' },
      {
        level: 'info',
        component: 'progress',
        msg: "waiting 38 s for Venice's key-creation limit (20 a minute), 12/20 keys minted",
        waitMs: 38_200,
        minted: 12,
        toMint: 20,
      },
      { level: 'info', component: 'progress', msg: 'Provisioning: swap sent, waiting for its receipt', hash: '0xabc' },
    ])
  })

  it('the binary: `swap --json` keeps stdout one JSON line; stderr says what it waits for, tx hash as a field', async () => {
    const privateKey = generatePrivateKey()
    await devnet().fund(privateKeyToAccount(privateKey).address, { eth: parseEther('1') })
    const { env } = await cliState(devnet(), emulator().baseURL, { GONDOLA_PRIVATE_KEY: privateKey, GONDOLA_NETWORK: 'devnet', NO_COLOR: '1' })
    const { stdout, stderr } = await exec(process.execPath, ['bin/gondola.js', 'swap', '--eth', '0.001', '--json'], { env })
    expect(stdout.trim().split('\n')).toHaveLength(1)
    const result = JSON.parse(stdout) as { status: string; hash: string }
    expect(result.status).toBe('confirmed')
    const lines = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        component: 'progress',
        msg: 'swap ETH → VVV (Uniswap V3, fee 3000) sent, waiting for its receipt',
        step: 'swap ETH → VVV (Uniswap V3, fee 3000)',
        hash: result.hash,
      }),
    )
    expect(lines.every((l) => !String(l.msg).includes(result.hash))).toBe(true)
  }, 600_000)

  it('provision reports the key-creation wait with how many keys are minted (20 creations in the last minute)', async () => {
    const wallet = await stakedWallet(devnet(), '10')
    let clock = Date.now()
    const path = join(wallet.stateDir, 'keys.json')
    // 20 creations just now, as a fleet provision leaves them: the next mint must wait out the minute.
    const file = { version: 1, encryption: null, admin: [], inference: [], pending: [], recentMints: Array.from({ length: 20 }, () => clock - 1_000) }
    await writeFile(path, JSON.stringify(file), { mode: 0o600 })
    const store = await KeyStore.open({ path })
    const waits: unknown[] = []
    const slept: number[] = []
    const result = await provision({
      wallet,
      baseURL: emulator().baseURL,
      store,
      agents: ['a1', 'a2'],
      stakeSvvv: parseEther('1'),
      diemPerAgent: 0.5,
      now: () => clock,
      sleep: async (ms) => void (slept.push(ms), (clock += ms)),
      onWait: (w) => waits.push(w),
    })
    expect(result.agents.map((a) => a.status)).toEqual(['minted', 'minted'])
    expect(slept).toEqual([59_000])
    expect(waits).toEqual([{ reason: 'creation-limit', what: "Venice's key-creation limit (20 a minute)", ms: 59_000, minted: 0, toMint: 3 }])
  })
})
