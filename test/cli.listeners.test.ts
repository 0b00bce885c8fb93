import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('gondola run --every 0.5 --runs 12 (subprocess, issue #26)', () => {
  it('runs 12 scheduled runs with no MaxListenersExceededWarning on stderr', { timeout: 600_000 }, async () => {
    const { env } = await cliState(devnet(), emulator().baseURL)
    const gondola = (...args: string[]) => exec(process.execPath, ['bin/gondola.js', ...args], { env, maxBuffer: 16 * 1024 * 1024 })
    const { stdout } = await gondola('wallet', 'new', '--json')
    const { address } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { address: Address }
    await devnet().fund(address, { eth: parseEther('1') })
    await gondola('provision', '--agents', 'treasurer', '--stake-vvv', '5', '--diem-per-agent', '0.5', '--json')
    const run = await gondola('run', 'treasurer', '--every', '0.5', '--runs', '12', '--json')
    const runs = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { n: number; status: string })
    expect(runs.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(runs.every((r) => r.status === 'completed')).toBe(true)
    // Before: "(node) MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners added to [AbortSignal]".
    expect(run.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/)
  })
})
