import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { formatEther, parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { devStake } from '../devnet/src/devnet/devStake.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

type Proc = { child: ChildProcess; out: () => string; err: () => string; done: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

/** `gondola <args>` as a child process whose output is collected as it comes. */
function start(env: NodeJS.ProcessEnv, args: string[]): Proc {
  const child = spawn(process.execPath, ['bin/gondola.js', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })))
  return { child, out: () => out, err: () => err, done }
}

/** Polls `ok` until it holds; fails with the child's output if the child exits first. */
async function until(p: Proc, ok: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await ok())) {
    if (p.child.exitCode !== null || p.child.signalCode !== null)
      throw new Error(`exited early (${p.child.exitCode ?? p.child.signalCode}):\n${p.out()}\n${p.err()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function gondola(env: NodeJS.ProcessEnv, ...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/gondola.js', ...args], { env })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

async function forgeLock(path: string, holder: Record<string, unknown>, ageMs: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const at = new Date(Date.now() - ageMs)
  await writeFile(path, JSON.stringify({ startedAt: at.toISOString(), id: 'forged', ...holder }))
  await utimes(path, at, at)
}

describe('gondola run social-bot: stops when told, keeps its rate, is not blocked by a dead lock (subprocess)', () => {
  it('SIGTERM stops it cleanly and releases the lock; a restart waits out --every; a lock left on another host or by a reused pid does not block it', async () => {
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL)
    const { address } = JSON.parse((await gondola(env, 'wallet', 'new', '--json')).stdout) as { address: Address }
    await devnet().fund(address, { eth: parseEther('1') })
    expect((await gondola(env, 'provision', '--agents', 'social-bot', '--stake-vvv', '5', '--diem-per-agent', '0.5', '--json')).code).toBe(0)
    const lockPath = join(stateDir, 'social', 'social-bot.journal.json.lock')
    const posts = async () => (await readFile(join(stateDir, 'outbox', 'outbox.jsonl'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length

    // SIGTERM after the first post: the bot stops between ticks, says so, exits 0 and leaves no lock.
    const first = start(env, ['run', 'social-bot', '--every', '600', '--json'])
    await until(first, () => first.out().includes('"kind":"social"'))
    first.child.kill('SIGTERM')
    expect(await first.done, first.err()).toEqual({ code: 0, signal: null })
    expect(first.err()).toContain('gondola run: SIGTERM received — finishing the run in hand')
    expect(first.err()).toContain('gondola run: stopped by SIGTERM after 1 run(s)')
    expect(existsSync(lockPath)).toBe(false)
    expect(await posts()).toBe(1)

    // A restart keeps the --every rate: no post now, the first run one interval after the last.
    const again = start(env, ['run', 'social-bot', '--every', '600'])
    await until(again, () => again.out().includes('\n'))
    expect(again.out()).toMatch(/^Running social-bot every 600 s until Ctrl-C; first run at \S+Z \(the last started at \S+Z\)\.\n/)
    const [, next, last] = /first run at (\S+) \(the last started at (\S+)\)/.exec(again.out())!
    expect(Date.parse(next!) - Date.parse(last!)).toBe(600_000)
    again.child.kill('SIGINT')
    expect(await again.done).toEqual({ code: 0, signal: null })
    expect(await posts()).toBe(1)

    // A lock left by a bot in a container that was replaced (another host name), last refreshed a minute ago.
    await forgeLock(lockPath, { pid: 7, hostname: 'bot-container-1f2e3d' }, 60_000)
    const afterRestart = await gondola(env, 'run', 'social-bot', '--json')
    expect(afterRestart.code, afterRestart.stderr).toBe(0)
    // A lock whose pid is alive on this host but belongs to a process that started later (pid reuse).
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' })
    try {
      await forgeLock(lockPath, { pid: stranger.pid, hostname: hostname(), processStart: '1' }, 0)
      const reused = await gondola(env, 'run', 'social-bot', '--json')
      expect(reused.code, reused.stderr).toBe(0)
    } finally {
      stranger.kill()
    }
    expect(await posts()).toBe(3)
    expect(existsSync(lockPath)).toBe(false)

    // Revoking the ADMIN key needs --yes and says what it breaks; one already revoked on Venice is just forgotten (exit 0).
    const admin = (JSON.parse((await gondola(env, 'keys', 'list', '--json')).stdout).keys as { id: string; apiKeyType: string }[]).find(
      (k) => k.apiKeyType === 'ADMIN',
    )!
    const refused = await gondola(env, 'keys', 'revoke', admin.id)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(
      /is the ADMIN key of wallet 0x[0-9a-fA-F]{40}: revoking it breaks key minting, rotation and revocation.* Pass --yes to revoke it anyway/,
    )
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json'), password: CLI_TEST_PASSWORD })
    await createVeniceClient({ baseURL: emulator().baseURL, apiKey: store.reveal(admin.id), maxRetries: 0 }).deleteApiKey(admin.id)
    const gone = await gondola(env, 'keys', 'revoke', admin.id, '--yes')
    expect(gone.code, gone.stderr).toBe(0)
    expect(gone.stdout).toBe(`Already revoked on Venice; forgot ${admin.id}\n`)
  }, 600_000)
})

describe('gondola autopilot run: the first signal finishes the step in hand, a forced exit still reaches the report (subprocess)', () => {
  it('SIGINT mid-pass: exit 130, the steps done recorded, no step started after; SIGINT twice: forced exit 130, and the report counts every tx from the journal', async () => {
    await devStake(devnet(), 9, parseEther('1000000'))
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL, {
      GONDOLA_AUTOPILOT_MIN_STAKED_DIEM: '0',
      // Rewards are restaked first (any amount): the pass has two steps (restake, then swap-stake-mint), so a signal
      // during the first leaves one that must never start. (The planner makes one mint of the whole position.)
      GONDOLA_AUTOPILOT_MIN_CLAIM_VVV: '0.000000000000000001',
      GONDOLA_DATA_DIR: await mkdtemp(join(tmpdir(), 'gondola-data-')),
    })
    const { address } = JSON.parse((await gondola(env, 'wallet', 'new', '--json')).stdout) as { address: Address }
    await devnet().fund(address, { eth: parseEther('0.3') })
    expect((await gondola(env, 'provision', '--agents', 'treasurer', '--stake-vvv', '5', '--json')).code).toBe(0)
    const walletDir = join(env.GONDOLA_DATA_DIR!, 'wallets', (await readdir(join(env.GONDOLA_DATA_DIR!, 'wallets')))[0]!)
    type Run = { key: string; steps: { hash: string; value: string; status: string }[] }
    const journal = async (): Promise<Run[]> => {
      const file = (await readdir(walletDir)).find((f) => /^journal-\d+(-[\w-]+)?\.json$/.test(f))
      return file ? (JSON.parse(await readFile(join(walletDir, file), 'utf8').catch(() => '{"runs":[]}')).runs as Run[]) : []
    }
    const passOf = (key: string) => /^autopilot:[^:]+/.exec(key)?.[0]
    const sentBy = (runs: Run[], pass: string) =>
      runs.filter((r) => passOf(r.key) === pass).flatMap((r) => r.steps.filter((s) => s.status === 'confirmed' || s.status === 'signed'))
    const history = async () =>
      (await readFile(join(stateDir, 'autopilot', `31337-${address.toLowerCase()}`, 'history.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))

    // Ctrl-C while the first step's transactions go out: that step is finished, the next never starts.
    const a = start(env, ['autopilot', 'run', '--target', '0.5', '--json'])
    let pass = ''
    await until(a, async () => Boolean((pass = (await journal()).map((r) => passOf(r.key)).find(Boolean) ?? '')))
    a.child.kill('SIGINT')
    const ended = await a.done
    const result = JSON.parse(a.out())
    // The step in hand is finished either way. Signalled during the last step, the pass is simply complete (exit 0,
    // its line says which step it finished); earlier, it stops there (exit 130) and says what was done.
    const [, finishing, of] = /SIGINT received — finishing step (\d+) of (\d+)/.exec(a.err()) ?? []
    expect(Number(finishing), a.err()).toBeGreaterThanOrEqual(1)
    if (ended.code === 0) {
      expect(finishing).toBe(of)
      expect(result).toMatchObject({ mode: 'run' })
    } else {
      expect(ended, a.err()).toEqual({ code: 130, signal: null })
      const [, done, total] = /gondola autopilot run: stopped by SIGINT after (\d+) of (\d+) steps; \d+ tx sent, all recorded/.exec(a.err()) ?? []
      expect(Number(done)).toBeGreaterThanOrEqual(1)
      expect(Number(done)).toBeLessThan(Number(total))
      expect(result).toMatchObject({ mode: 'run', stopped: true, message: expect.stringContaining('Stopped by SIGINT after') })
    }
    const sentA = sentBy(await journal(), pass).map((s) => s.hash)
    expect(result.sent.slice().sort()).toEqual(sentA.slice().sort())
    expect((await history()).at(-1).hashes.slice().sort()).toEqual(sentA.slice().sort())

    // Ctrl-C twice while a swap is out: forced exit (130) before the pass writes its history line.
    const b = start(env, ['autopilot', 'run', '--target', '0.9', '--json'])
    let passB = ''
    await until(b, async () => {
      const runs = await journal()
      passB =
        runs
          .map((r) => passOf(r.key))
          .filter((k): k is string => Boolean(k) && k !== pass)
          .at(0) ?? ''
      return Boolean(passB) && sentBy(runs, passB).some((s) => BigInt(s.value) > 0n)
    })
    b.child.kill('SIGINT')
    await until(b, () => b.err().includes('SIGINT received'))
    b.child.kill('SIGINT')
    expect(await b.done, b.err()).toEqual({ code: 130, signal: null })
    expect(b.err()).toMatch(/gondola autopilot run: SIGINT again — forced exit during step \d+ of \d+/)
    const lines = await history()
    expect(lines).toHaveLength(1)
    // The report counts the forced pass's transactions, read from the journal.
    const lost = sentBy(await journal(), passB).reduce((s, x) => s + BigInt(x.value), 0n)
    expect(lost).toBeGreaterThan(0n)
    const report = JSON.parse((await gondola(env, 'autopilot', 'report', '--json')).stdout) as { days: { ethSpent: number; actions: number }[] }
    const reported = report.days.reduce((s, d) => s + d.ethSpent, 0)
    expect(reported).toBeCloseTo(Number(lines[0].ethSpent) + Number(formatEther(lost)), 6)
  }, 900_000)
})

describe('servers and the devnet stop when told (subprocess)', () => {
  it('gondola devnet: a Ctrl-C during start-up lets it finish, then stops everything and exits 0', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-devnet-stop-'))
    const env = { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_LOG_LEVEL: 'info' }
    const p = start(env, ['devnet', '--json'])
    await until(p, () => p.err().includes('Starting devnet'))
    p.child.kill('SIGINT')
    expect(await p.done, p.err()).toEqual({ code: 0, signal: null })
    expect(p.err()).toContain('gondola devnet: SIGINT received')
    expect(p.err()).toContain('gondola devnet: stopped (SIGINT)')
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
  }, 300_000)

  it('gondola dashboard and gondola mcp (stdio): the first SIGTERM closes the server, says so, exit 0', async () => {
    const { env } = await cliState(devnet(), emulator().baseURL, {
      GONDOLA_PRIVATE_KEY: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
      GONDOLA_NETWORK: 'devnet',
    })
    const dash = start(env, ['dashboard'])
    await until(dash, () => dash.out().includes('Dashboard: http'))
    dash.child.kill('SIGTERM')
    expect(await dash.done, dash.err()).toEqual({ code: 0, signal: null })
    expect(dash.err()).toContain('gondola dashboard: stopped (SIGTERM)')

    const mcp = start(env, ['mcp'])
    mcp.child.stdin!.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })}\n`,
    )
    await until(mcp, () => mcp.out().includes('"id":1'))
    mcp.child.kill('SIGTERM')
    expect(await mcp.done, mcp.err()).toEqual({ code: 0, signal: null })
    expect(mcp.err()).toContain('gondola mcp: stopped (SIGTERM)')
  }, 300_000)
})
