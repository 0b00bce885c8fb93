import { execFile } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { devStake } from '../devnet/src/devnet/devStake.js'
import { cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('gondola autopilot plan | run | report (subprocess)', () => {
  it('prints the plan table (and --json), runs a pass, exits 6 with the shortfall when capital is short, writes the report chart', async () => {
    await devStake(devnet(), 9, parseEther('1000000'))
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL, {
      GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY: '0.3',
      GONDOLA_AUTOPILOT_MIN_STAKED_DIEM: '0',
    })
    const gondola = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await exec(process.execPath, ['bin/gondola.js', ...args], { env })
        return { code: 0, stdout, stderr }
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string }
        return { code: err.code, stdout: err.stdout, stderr: err.stderr }
      }
    }
    const { address } = JSON.parse((await gondola('wallet', 'new', '--json')).stdout) as { address: Address }
    await devnet().fund(address, { eth: parseEther('0.2') })
    expect((await gondola('provision', '--agents', 'treasurer', '--stake-vvv', '5', '--json')).code).toBe(0)

    const text = await gondola('autopilot', 'plan')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^\[dry run\] nothing sent\n\| action +\| input +\| cost +\| Diem\/day gained \| Diem\/day per ETH \| VVV\/day forgone \|\n/)
    // One transaction series: the swap's stake and the sVVV already unlocked are minted together (#28 item 1).
    expect(text.stdout).toMatch(/\n\| swap ETH→VVV, stake, mint DIEM, stake it +\| [\d.]+ ETH +\| [\d.]+ ETH \+ [\d.]+ sVVV locked/)
    const plan = JSON.parse((await gondola('autopilot', 'plan', '--target', '0.5', '--json')).stdout)
    expect(plan).toMatchObject({ mode: 'plan', target: '0.5', reached: true, sent: [] })
    expect(plan.steps.map((s: { action: string }) => s.action)).toEqual(['swapStakeMintDiem'])
    expect(plan.steps[0]).toMatchObject({ costEth: expect.stringMatching(/^0\.0\d+$/), diemPerDayPerEth: expect.any(Number) })

    // Two processes at once on the same wallet: the pass lock serialises them; the second finds the target held.
    const [a, b] = await Promise.all([gondola('autopilot', 'run', '--json'), gondola('autopilot', 'run', '--json')])
    const both = [JSON.parse(a.stdout), JSON.parse(b.stdout)].sort((x, y) => y.sent.length - x.sent.length)
    expect(both.map((r) => r.reached)).toEqual([true, true])
    expect(both[0].sent.length).toBeGreaterThanOrEqual(2)
    expect(both[1].sent).toEqual([])

    // Lowered target: the excess is shown, and --unwind plans its release without sending anything.
    const lowered = JSON.parse((await gondola('autopilot', 'plan', '--target', '0.05', '--json')).stdout)
    expect(lowered.excess).toMatchObject({ diemPerDay: expect.stringMatching(/^0\.\d+$/) })
    expect(lowered.message).toMatch(/Excess: [\d.]+ Diem\/day above the target.*--unwind/)
    const unwind = JSON.parse((await gondola('autopilot', 'plan', '--target', '0.05', '--unwind', '--json')).stdout)
    expect(unwind).toMatchObject({ mode: 'plan', sent: [], excess: { diemPerDay: lowered.excess.diemPerDay } })
    expect(unwind.steps.map((s: { action: string }) => s.action)).toContain('initiateDiemUnstake')
    // The yield minting gives up is in the plan; --horizon counts it.
    const horizon = JSON.parse((await gondola('autopilot', 'plan', '--target', '0.6', '--horizon', '30d', '--json')).stdout)
    expect(horizon).toMatchObject({ horizonDays: 30, vvvForgonePerDay: expect.stringMatching(/^\d/) })
    expect((await gondola('autopilot', 'plan', '--horizon', 'a-month')).code).toBe(2)

    const short = await gondola('autopilot', 'run', '--target', '50')
    expect(short.code).toBe(6)
    expect(short.stderr).toMatch(
      /Short of the 50 Diem\/day target: [\d.]+ Diem\/day after this pass, [\d.]+ Diem\/day missing — add [\d.]+ ETH more, or [\d.]+ VVV\./,
    )
    expect((await gondola('autopilot', 'run', '--target', '-1')).code).toBe(2)

    const out = join(stateDir, 'report.svg')
    const report = await gondola('autopilot', 'report', '--out', out)
    expect(report.stdout).toMatch(/^\| day +\| target \| allowance \| spend/)
    expect(report.stdout.split('\n').filter((l) => /^\| \d{4}-/.test(l))).toHaveLength(1)
    expect((await stat(out)).size).toBeGreaterThan(1000)
    expect((await gondola('autopilot', 'report', '--out', 'x.png')).code).toBe(2)
  }, 900_000) // ~10 CLI subprocesses, two of them at once: 260 s measured at a load average of ~25
})
