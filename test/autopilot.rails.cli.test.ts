import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { gondolaInProcess } from './helpers/gondolaInProcess.js'
import { railsWorld } from './helpers/railProfiles.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { spendLine } from './helpers/spendLine.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, minStakedDiemForDiem: 0.1 })
beforeAll(() => railsWorld(devnet()), 120_000)

async function state(account: number) {
  const d = devnet()
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-rails-cli-'))
  await publishDevnet(stateDir, d, emulator().baseURL)
  const dev = d.accounts[account]!
  return { stateDir, env: { GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: dev.privateKey, NO_COLOR: '1' } }
}

// In process (runCli): what the command prints and how it exits.
describe('gondola autopilot plan --rails (#29 item 4)', () => {
  it('prints both rails and the cheaper mix (text and --json, the same figures); sends nothing', async () => {
    const { env } = await state(3)
    const text = await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem,x402', '--horizon', '30d', '--usage', '2'], env)
    expect([text.code, text.stderr]).toEqual([0, ''])
    expect(text.stdout).toMatch(/^\[dry run\] nothing sent\nUsage 2 Diem\/day over 30 days \(1 Diem = \$1 of compute\); ETH at \$[\d.]+\.\n/)
    expect(text.stdout).toMatch(/\n {2}diem +-?\$[\d.]+ {2}stake 0\.2\d* ETH now .* after 38 days/)
    expect(text.stdout).toMatch(/\n {2}x402 +\$60\.\d\d {2}credits \$60\.00 \(compute \$60\.00, unused \$0\.00\)/)
    expect(text.stdout).toMatch(/\n {2}mix:\n {4}0 % staked, 100 % per call +\$60\.\d\d\n/)
    expect(text.stdout).toMatch(/\nCheaper: staking \(diem\), -?\$[\d.]+ over 30 days\.\n$/)

    const json = JSON.parse((await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem,x402', '--horizon', '30d', '--usage', '2', '--json'], env)).stdout)
    expect(json).toMatchObject({ usageDiemPerDay: '2', horizonDays: 30, rails: ['diem', 'x402'], best: { diemSharePercent: 100 }, x402: { creditsUsd: '60' } })
    expect(json.mixes.map((m: { diemSharePercent: number }) => m.diemSharePercent)).toEqual([0, 25, 50, 75, 100])
    // One truth: the text's figures are the JSON's, to the cent.
    const cents = (v: string) => (Number(v) < 0 ? '-' : '') + `$${(Math.trunc(Math.abs(Number(v)) * 100) / 100).toFixed(2)}`
    expect(text.stdout).toContain(`  diem  ${cents(json.diem.costUsd).padStart(12)}`)
    expect(text.stdout).toContain(`  x402  ${cents(json.x402.costUsd).padStart(12)}`)
    expect(await devnet().publicClient.getTransactionCount({ address: devnet().accounts[3]!.address })).toBe(0)

    const one = await gondolaInProcess(['autopilot', 'plan', '--rails', 'x402', '--horizon', '1d', '--usage', '50'], env)
    expect(one.code).toBe(0)
    expect(one.stdout).not.toMatch(/ {2}diem | mix:/)
    expect(one.stdout).toMatch(/\nCheaper: x402 credits, \$50\.\d\d over 1 day\.\n$/)
  }, 120_000)

  it('measures the usage from the spend ledger (last 7 days) when --usage is not given', async () => {
    const { stateDir, env } = await state(4)
    const none = await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem,x402'], env)
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/No model calls in the spend ledger over the last 7 days.*Pass --usage/)
    const now = Date.now()
    // An hour of calls counts as one day; a call 8 days ago is outside the window.
    const lines = [spendLine('old', now - 8 * 86_400_000, 100), ...[1, 2, 3, 4].map((i) => spendLine('a', now - i * 600_000, 0.5))]
    await writeFile(join(stateDir, 'ledger.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
    const json = JSON.parse((await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem,x402', '--json'], env)).stdout)
    expect(json).toMatchObject({ usageDiemPerDay: '2', horizonDays: 30 })
  }, 120_000)

  it('strict flags: an unknown rail, a misspelt flag, --usage without --rails, a zero horizon exit 2 naming the flag', async () => {
    const { env } = await state(5)
    const bad = await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem,usdc', '--usage', '2'], env)
    expect([bad.code, bad.stdout]).toEqual([2, ''])
    expect(bad.stderr).toMatch(/--rails: unknown rail "usdc"; the rails are diem and x402/)
    const twice = await gondolaInProcess(['autopilot', 'plan', '--rails', 'x402,x402', '--usage', '2'], env)
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringMatching(/--rails names a rail twice/)])
    const misspelt = await gondolaInProcess(['autopilot', 'plan', '--rail', 'diem', '--usage', '2'], env)
    expect([misspelt.code, misspelt.stderr]).toEqual([2, expect.stringMatching(/Unknown flag --rail for .*Did you mean --rails\?/s)])
    const alone = await gondolaInProcess(['autopilot', 'plan', '--usage', '2'], env)
    expect([alone.code, alone.stderr]).toEqual([2, expect.stringMatching(/--usage goes with --rails/)])
    const zero = await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem,x402', '--usage', '2', '--horizon', '0'], env)
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringMatching(/--horizon must be more than 0 days/)])
    const usage = await gondolaInProcess(['autopilot', 'plan', '--rails', 'diem', '--usage', '-1'], env)
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringMatching(/--usage must be a positive number/)])
  }, 120_000)
})
