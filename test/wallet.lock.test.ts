import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import type { Wallet } from '../src/wallet/createWallet.js'
import { WalletLockedError } from '../src/wallet/errors.js'
import { configureLogging } from '../src/util/logger.js'
import { FileLockedError, lockFile, type LockWait } from '../src/util/fileLock.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
const nonceOf = (address: `0x${string}`) => devnet().publicClient.getTransactionCount({ address })
const lockPathOf = (w: Wallet) => `${w.journal.path}.lock`
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms))

/** Writes a lock file as another process would have left it, with its mtime `ageMs` in the past. */
async function forgeLock(path: string, holder: { pid: number; hostname: string }, ageMs = 0): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const at = new Date(Date.now() - ageMs)
  await writeFile(path, JSON.stringify({ ...holder, startedAt: at.toISOString(), id: 'forged' }))
  await utimes(path, at, at)
}

/** A pid that existed and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''])
  return r.pid
}

/** A child process that takes the journal lock, prints `locked`, and on a line on stdin releases it and exits. */
function childHoldingLock(journalPath: string): { child: ChildProcess; locked: Promise<void> } {
  const script = `
    import { lockFile } from './src/util/fileLock.ts'
    const lock = await lockFile({ path: process.env.JOURNAL, timeoutMs: 5_000, staleMs: 300_000 })
    process.stdout.write('locked\\n')
    process.stdin.once('data', async () => { await lock.release(); process.exit(0) })
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, JOURNAL: journalPath },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (d.toString().includes('locked') ? resolve() : undefined))
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)))
  })
  return { child, locked }
}

describe('two wallet objects on one journal', () => {
  it('concurrent runs serialize: both complete, two transactions with nonces 0 and 1, both runs in the journal', async () => {
    const a = await testWallet(devnet(), { eth: parseEther('1') })
    const b = await testWallet(devnet(), { privateKey: a.privateKey, stateDir: a.stateDir })
    const order: string[] = []
    const hooked = (w: Wallet, tag: string): Wallet => ({ ...w, hooks: { afterSign: () => void order.push(`${tag}:signed`) } })
    const [ra, rb] = await Promise.all([
      swapEthForVvv(hooked(a, 'a'), { amountIn: parseEther('0.01'), idempotencyKey: 'a' }).then((r) => (order.push('a:done'), r)),
      swapEthForVvv(hooked(b, 'b'), { amountIn: parseEther('0.02'), idempotencyKey: 'b' }).then((r) => (order.push('b:done'), r)),
    ])
    expect(ra.hash).toBeDefined()
    expect(rb.hash).toBeDefined()
    expect(ra.hash).not.toBe(rb.hash)
    expect(await nonceOf(a.address)).toBe(2)
    // One run finished before the other signed.
    expect([order.slice(0, 2), order.slice(2)].map((p) => p[0]!.split(':')[0] === p[1]!.split(':')[0])).toEqual([true, true])
    const journal = JSON.parse(await readFile(a.journal.path, 'utf8'))
    expect(
      journal.runs.map((r: { key: string; status: string; steps: { nonce: number; status: string }[] }) => [r.status, r.steps.map((s) => [s.nonce, s.status])]),
    ).toEqual([
      ['done', [[0, 'confirmed']]],
      ['done', [[1, 'confirmed']]],
    ])
    expect(existsSync(lockPathOf(a))).toBe(false)
  })

  it('a dry run takes no lock', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const holder = await lockFile({ path: w.journal.path, timeoutMs: 0, staleMs: 300_000 })
    try {
      const r = await swapEthForVvv({ ...w, dryRun: true, lockTimeoutMs: 0 }, { amountIn: parseEther('0.01') })
      expect(r.hash).toBeUndefined()
    } finally {
      await holder.release()
    }
  })
})

describe('another process', () => {
  it('a child holding the lock makes the run wait, and it proceeds once the child releases and exits', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const { child, locked } = childHoldingLock(w.journal.path)
    const exited = new Promise<number | null>((r) => child.on('exit', r))
    await locked
    const events: string[] = []
    const swap = swapEthForVvv({ ...w, hooks: { afterSign: () => void events.push('signed') } }, { amountIn: parseEther('0.01') })
    await tick(300) // give the run every chance to (wrongly) go ahead
    expect(events).toEqual([])
    expect(await nonceOf(w.address)).toBe(0)
    events.push('release requested')
    child.stdin!.write('go\n')
    const r = await swap
    expect(await exited).toBe(0)
    expect(events).toEqual(['release requested', 'signed'])
    expect(r.hash).toBeDefined()
    expect(await nonceOf(w.address)).toBe(1)
  })

  it('a lock left by a SIGKILLed process (dead pid on this host) is taken over', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const { child, locked } = childHoldingLock(w.journal.path)
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)))
    await locked
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const left = JSON.parse(await readFile(lockPathOf(w), 'utf8'))
    expect(left.pid).toBe(child.pid)
    // A short timeout: the dead holder must not be waited for.
    const r = await swapEthForVvv({ ...w, lockTimeoutMs: 2_000 }, { amountIn: parseEther('0.01') })
    expect(r.hash).toBeDefined()
    expect(await nonceOf(w.address)).toBe(1)
    expect(existsSync(lockPathOf(w))).toBe(false)
  })

  it('a lock held past the timeout gives WalletLockedError naming the holder, and sends nothing', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const holder = await lockFile({ path: w.journal.path, timeoutMs: 0, staleMs: 300_000 })
    try {
      const err = await swapEthForVvv({ ...w, lockTimeoutMs: 150 }, { amountIn: parseEther('0.01') }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(WalletLockedError)
      const locked = err as WalletLockedError
      expect(locked.code).toBe('WALLET_LOCKED')
      expect(locked.holder).toMatchObject({ pid: process.pid, hostname: hostname() })
      expect(locked.shortMessage).toContain(`process ${process.pid} on ${hostname()}`)
      expect(locked.shortMessage).toContain('Nothing was sent.')
      expect(locked.metaMessages[1]).toContain(lockPathOf(w))
      expect(await nonceOf(w.address)).toBe(0)
      expect(existsSync(w.journal.path)).toBe(false)
    } finally {
      await holder.release()
    }
    // Released: the wallet works again.
    await swapEthForVvv(w, { amountIn: parseEther('0.01') })
    expect(await nonceOf(w.address)).toBe(1)
  })

  it('a lock from another host is waited for while fresh and taken over once older than lockStaleMs', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    await forgeLock(lockPathOf(w), { pid: 4242, hostname: 'other-host' })
    const err = await swapEthForVvv({ ...w, lockTimeoutMs: 100 }, { amountIn: parseEther('0.01') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WalletLockedError)
    expect((err as WalletLockedError).shortMessage).toContain('process 4242 on other-host')
    await forgeLock(lockPathOf(w), { pid: 4242, hostname: 'other-host' }, 10 * 60_000)
    await swapEthForVvv({ ...w, lockTimeoutMs: 100 }, { amountIn: parseEther('0.01') })
    expect(await nonceOf(w.address)).toBe(1)
  })
})

describe('lockFile (src/util/fileLock.ts)', () => {
  const journalIn = async () => join(await mkdtemp(join(tmpdir(), 'gondola-lock-')), 'wallet', 'journal-1-0xabc.json')

  it('polls with growing, capped backoff on an injected clock, then throws', async () => {
    const journalPath = await journalIn()
    await forgeLock(`${journalPath}.lock`, { pid: process.pid, hostname: hostname() })
    let now = 1_000_000
    const sleeps: number[] = []
    const waits: LockWait[] = []
    const err = await lockFile({
      path: journalPath,
      timeoutMs: 10_000,
      staleMs: Number.MAX_SAFE_INTEGER,
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms)
        now += ms
      },
      onWait: (w) => waits.push(w),
    }).catch((e: unknown) => e)
    // The wait is reported at once, naming the holder, then every 5 s until the deadline.
    expect(waits.map((w) => w.holder?.pid)).toEqual([process.pid, process.pid])
    expect(waits[0]).toMatchObject({ lockPath: `${journalPath}.lock`, waitedMs: 0, timeoutMs: 10_000 })
    expect(waits[1]!.waitedMs).toBeGreaterThanOrEqual(5_000)
    expect(waits[1]!.waitedMs).toBeLessThan(10_000)
    expect(err).toBeInstanceOf(FileLockedError)
    expect((err as FileLockedError).timeoutMs).toBe(10_000)
    expect(sleeps.length).toBeGreaterThan(5)
    expect(sleeps.slice(0, 5).every((ms, i) => i === 0 || ms > sleeps[i - 1]! / 2)).toBe(true) // grows (jitter aside)
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(2_000)
    expect(now).toBe(1_000_000 + 10_000) // the last sleep is cut to the deadline
  })

  it('by default logs the wait (holder, lock file, time left) at info, so a waiting command does not look hung', async () => {
    const journalPath = await journalIn()
    await forgeLock(`${journalPath}.lock`, { pid: process.pid, hostname: hostname() })
    const lines: string[] = []
    configureLogging({ level: 'info', write: (l) => lines.push(l) })
    try {
      const err = await lockFile({ path: journalPath, timeoutMs: 50, staleMs: Number.MAX_SAFE_INTEGER }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(FileLockedError)
    } finally {
      configureLogging({ level: 'info' }) // the default root logger (stderr, info)
    }
    const logged = lines.map((l) => JSON.parse(l) as { level: string; component: string; msg: string; holderPid: number })
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ level: 'info', component: 'lock', holderPid: process.pid })
    expect(logged[0]!.msg).toContain(`waiting for process ${process.pid} on ${hostname()} to release ${journalPath}.lock (giving up in 1 s)`)
  })

  it('takes over a lock whose pid is dead on this host, and a torn (empty) lock file', async () => {
    const journalPath = await journalIn()
    await forgeLock(`${journalPath}.lock`, { pid: deadPid(), hostname: hostname() })
    const first = await lockFile({ path: journalPath, timeoutMs: 0, staleMs: 300_000 })
    expect(JSON.parse(await readFile(first.path, 'utf8')).pid).toBe(process.pid)
    await first.release()
    await writeFile(`${journalPath}.lock`, '')
    const old = new Date(Date.now() - 60_000)
    await utimes(`${journalPath}.lock`, old, old)
    const second = await lockFile({ path: journalPath, timeoutMs: 0, staleMs: 300_000 })
    await second.release()
    expect(existsSync(`${journalPath}.lock`)).toBe(false)
  })

  it('two waiters on one stale lock: exactly one takes it over, the other waits for its release', async () => {
    const journalPath = await journalIn()
    await forgeLock(`${journalPath}.lock`, { pid: deadPid(), hostname: hostname() })
    const take = () => lockFile({ path: journalPath, timeoutMs: 5_000, staleMs: 300_000 })
    const pending = [take(), take()]
    const winner = await Promise.race(pending.map((p, i) => p.then(() => i)))
    const loser = pending[1 - winner]!
    let loserGotIt = false
    void loser.then(() => (loserGotIt = true))
    await tick(200)
    expect(loserGotIt).toBe(false)
    await (await pending[winner]!).release()
    await (await loser).release()
    expect(loserGotIt).toBe(true)
  })

  it('release leaves a lock that is no longer ours', async () => {
    const journalPath = await journalIn()
    const mine = await lockFile({ path: journalPath, timeoutMs: 0, staleMs: 300_000 })
    await forgeLock(mine.path, { pid: 4242, hostname: 'other-host' }) // taken over while we were suspended
    await mine.release()
    expect(JSON.parse(await readFile(mine.path, 'utf8')).hostname).toBe('other-host')
  })
})
