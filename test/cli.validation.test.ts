import { access, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { enumFlag, futureDateFlag, keyLimitFlag, nameFlag, numberFlag, sinceFlag } from '../src/cli/flags.js'
import { parseKeyRequest } from '../src/keys/keyRequest.js'
import { provision } from '../src/keys/provision.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { cliState } from './helpers/cliState.js'
import { gondolaInProcess } from './helpers/gondolaInProcess.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, recordRequests: true })
const NOW = Date.parse('2026-06-01T00:00:00Z')

describe('flag values are validated up front, and the error names the flag', () => {
  it('numbers: no exponent, hex, Infinity, sign or blank; bounds named', () => {
    for (const bad of ['1e999', '1e3', '0x10', 'Infinity', '-1', '', ' ', 'NaN', '1,5']) {
      expect(() => numberFlag(bad, '--expires-days', { min: 0, exclusiveMin: true, max: 3650 }), bad).toThrow(
        /^--expires-days must be a number greater than 0 and at most 3650, got "/,
      )
    }
    expect(numberFlag('30', '--expires-days', { min: 0, exclusiveMin: true, max: 3650 })).toBe(30)
    expect(() => numberFlag('2.5', '--runs', { min: 1, max: 10, integer: true })).toThrow('--runs must be a whole number from 1 to 10, got "2.5".')
    expect(() => keyLimitFlag('0', '--diem')).toThrow('--diem must be a number greater than 0 and at most 9999999999, got "0".')
    expect(keyLimitFlag('0.25', '--diem')).toBe(0.25)
    expect(() => enumFlag('forever', '--period', ['EPOCH', 'MONTH', 'LIFETIME'])).toThrow('--period must be one of EPOCH, MONTH, LIFETIME, got "forever".')
    expect(() => nameFlag('Foo Bot', '--agent')).toThrow(/^--agent must be a name of lowercase letters/)
  })

  it('dates: real calendar days in the future; durations positive; each error names its own flag', () => {
    for (const bad of ['2026-13-45', '2026-02-30', '2026-12-31T25:00:00Z', 'tomorrow', '31/12/2026']) {
      expect(() => futureDateFlag(bad, '--expires', NOW), bad).toThrow(/^--expires must be a real date, YYYY-MM-DD/)
    }
    expect(() => futureDateFlag('2026-05-01', '--expires', NOW)).toThrow('--expires must be in the future, got "2026-05-01".')
    expect(() => futureDateFlag('2099-01-01', '--expires', NOW)).toThrow(/--expires must be at most 3650 days from now/)
    expect(futureDateFlag('2026-12-31', '--expires', NOW)).toBe('2026-12-31')
    expect(() => sinceFlag('-1', '--window', NOW, { durationOnly: true })).toThrow('--window must be a positive duration (30m, 1h, 7d), got "-1".')
    expect(() => sinceFlag('0h', '--window', NOW, { durationOnly: true })).toThrow(/^--window must be/)
    expect(() => sinceFlag('yesterday', '--since', NOW)).toThrow(/^--since must be an ISO time/)
    expect(sinceFlag('1h', '--since', NOW)).toBe(NOW - 3_600_000)
    // The library refuses the same impossible date before anything is signed (it used to reach Venice and come back a 500).
    expect(() => parseKeyRequest({ apiKeyType: 'INFERENCE', description: 'x', consumptionLimit: { diem: 1 }, expiresAt: '2026-13-45' }, NOW)).toThrow(
      /expiresAt must be a real calendar date/,
    )
  })

  it('provision() validates every parameter before the stake: an infinite expiry sends nothing', async () => {
    const wallet = await testWallet(devnet(), { eth: parseEther('1') })
    const store = await KeyStore.open({ path: join(wallet.stateDir, 'keys.json') })
    const base = { wallet, baseURL: emulator().baseURL, store, agents: ['treasurer'], stakeSvvv: parseEther('2'), diemPerAgent: 0.5 }
    const before = emulator().requests().length
    for (const [bad, message] of [
      [{ expiresInDays: Infinity }, /^Invalid provision parameter expiresInDays: /],
      [{ diemPerAgent: 0 }, /^Invalid provision parameter diemPerAgent: must be greater than 0\.$/],
      [{ agents: ['Foo Bar'] }, /^Invalid provision parameter agents\.0: /],
    ] as [Partial<Parameters<typeof provision>[0]>, RegExp][]) {
      await expect(provision({ ...base, ...bad })).rejects.toMatchObject({
        name: 'InvalidKeyRequestError',
        exitCode: 2,
        shortMessage: expect.stringMatching(message),
      })
    }
    expect(await devnet().publicClient.getTransactionCount({ address: wallet.address })).toBe(0)
    expect(emulator().requests().length).toBe(before)
  })
})

describe('the CLI: a bad value exits 2 naming the flag, before any transaction, API call or file', () => {
  it('walks the commands with bad values', async () => {
    const wallet = await testWallet(devnet(), { eth: parseEther('1') })
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL, { GONDOLA_PRIVATE_KEY: wallet.privateKey })
    const cases: [string[], string][] = [
      [['provision', '--expires-days', '1e999'], '--expires-days must be a number greater than 0 and at most 3650, got "1e999".'],
      [['provision', '--diem-per-agent', '0'], '--diem-per-agent must be a number greater than 0'],
      [['provision', '--agents', 'treasurer,Foo Bot'], '--agents entry "Foo Bot" is invalid'],
      [['keys', 'mint', '--diem', '1', '--expires', '2026-13-45'], '--expires must be a real date'],
      [['keys', 'mint', '--diem', '0'], '--diem must be a number greater than 0'],
      [['keys', 'mint', '--diem', '1', '--description', 'x'.repeat(41)], '--description must be 1 to 40 characters, got 41.'],
      [['keys', 'rotate', 'abc', '--diem', '-1'], '--diem must be a number greater than 0'],
      [['status', '--window', '-1'], '--window must be a positive duration'],
      [['ledger', '--since', 'yesterday'], '--since must be an ISO time'],
      [['swap', '--eth', '1e3'], '--eth is not a decimal number'],
      [['run', 'treasurer', '--max-steps', '0'], '--max-steps must be a whole number from 1 to 100, got "0".'],
      [['devnet', '--venice-port', '70000'], '--venice-port must be a whole number from 0 to 65535, got "70000".'],
    ]
    // In process (runCli): what is checked here is each command's validation, not the process around it.
    const own = Object.fromEntries(Object.entries(env).filter(([k, v]) => process.env[k] !== v))
    const results: { args: string[]; code: number; stderr: string }[] = []
    for (const [args] of cases) results.push({ args, ...(await gondolaInProcess(args, own)) })
    results.forEach((r, i) => {
      expect({ args: r.args, code: r.code }).toEqual({ args: r.args, code: 2 })
      expect(r.stderr).toContain(`gondola: ${cases[i]![1]}`)
    })
    expect(results.find((r) => r.args[0] === 'status')!.stderr).not.toContain('--since')
    expect(await devnet().publicClient.getTransactionCount({ address: wallet.address })).toBe(0)
    expect(
      emulator()
        .requests()
        .filter((q) => q.url.includes('api_keys')),
    ).toEqual([])
    // Nothing was written: no key store, no journal.
    expect(
      await access(join(stateDir, 'keys.json')).then(
        () => true,
        () => false,
      ),
    ).toBe(false)
    expect((await readdir(stateDir)).sort()).toEqual(['devnet.json'])
  })
})
