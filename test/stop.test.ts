import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { interruptedPasses, withInterruptedPasses } from '../src/autopilot/recover.js'
import type { HistoryEntry } from '../src/autopilot/history.js'
import { firstIntervalRun, runSchedule } from '../src/host/scheduler.js'
import { bootId, processStart } from '../src/util/processIdentity.js'
import { FileLockedError, lockFile } from '../src/util/fileLock.js'
import type { JournalRun } from '../src/wallet/journal/journal.js'

/**
 * A child on the shared shutdown helper: numbered steps of ~300 ms, checking the signal between steps, each step
 * printed on stdout when it ends. Prints `ready` first.
 */
function stepper(): { child: ChildProcess; out: () => string; err: () => string; done: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const script = `
    import { handleShutdown } from './src/util/shutdown.ts'
    const shutdown = handleShutdown({ name: 'stepper' })
    process.stdout.write('ready\\n')
    for (let n = 1; n <= 200 && !shutdown.signal.aborted; n++) {
      const done = shutdown.doing('step ' + n)
      await new Promise((r) => setTimeout(r, 300))
      done()
      process.stdout.write('step ' + n + ' done\\n')
    }
    process.stdout.write('stopped cleanly\\n')
    shutdown.dispose()
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })))
  return { child, out: () => out, err: () => err, done }
}

const until = async (ok: () => boolean) => {
  while (!ok()) await new Promise((r) => setTimeout(r, 20))
}

describe('handleShutdown (real process, real signals)', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('the first %s finishes the step in hand, starts no other, says so, and exits 0', async (sig) => {
    const p = stepper()
    await until(() => p.out().includes('step 1 done'))
    p.child.kill(sig)
    expect(await p.done).toEqual({ code: 0, signal: null })
    const steps = p
      .out()
      .split('\n')
      .filter((l) => /^step \d+ done$/.test(l))
    // The step in flight when the signal came was finished (its "done" line printed), and nothing after it.
    const named = Number(/finishing step (\d+)/.exec(p.err())?.[1])
    expect(steps.at(-1)).toBe(`step ${named} done`)
    expect(p.out().trimEnd().endsWith('stopped cleanly')).toBe(true)
    expect(p.err()).toContain(`stepper: ${sig} received — finishing step ${named}, then stopping`)
  })

  it('a second signal says what was in flight and exits 130', async () => {
    const p = stepper()
    await until(() => p.out().includes('ready'))
    p.child.kill('SIGINT')
    await until(() => p.err().includes('received'))
    p.child.kill('SIGINT')
    expect(await p.done).toEqual({ code: 130, signal: null })
    expect(p.err()).toMatch(/stepper: SIGINT again — forced exit during step \d+/)
    expect(p.out()).not.toContain('stopped cleanly')
  })
})

/** A live process that is not the lock's owner: its pid is real, its start time is not the one in the lock. */
function liveStranger(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
}

async function forgeLock(path: string, holder: Record<string, unknown>, ageMs = 0): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const at = new Date(Date.now() - ageMs)
  await writeFile(path, JSON.stringify({ startedAt: at.toISOString(), id: 'forged', ...holder }))
  await utimes(path, at, at)
}

describe('the file lock (wallet journal, social bot, autopilot): a dead owner is recognised by more than its pid', () => {
  const journalPath = async () => join(await mkdtemp(join(tmpdir(), 'gondola-lock-')), 'journal.json')

  it('records boot id and process start time in the lock file', async () => {
    const path = await journalPath()
    const lock = await lockFile({ path, timeoutMs: 1_000, staleMs: 60_000 })
    const { readFile } = await import('node:fs/promises')
    const raw = JSON.parse(await readFile(`${path}.lock`, 'utf8'))
    expect(raw).toMatchObject({ pid: process.pid, hostname: hostname(), bootId: bootId(), processStart: processStart(process.pid) })
    expect(raw.processStart).toMatch(/^\d+$/)
    await lock.release()
  })

  it('a live pid that started after the lock was written (pid reuse, a restarted container) is taken over at once', async () => {
    const path = await journalPath()
    const stranger = liveStranger()
    try {
      await until(() => processStart(stranger.pid!) !== undefined)
      await forgeLock(`${path}.lock`, { pid: stranger.pid, hostname: hostname(), bootId: bootId(), processStart: '1' })
      const lock = await lockFile({ path, timeoutMs: 300, staleMs: 300_000 })
      await lock.release()
      // The same live pid with its real start time is a live owner: the lock is not taken.
      await forgeLock(`${path}.lock`, { pid: stranger.pid, hostname: hostname(), bootId: bootId(), processStart: processStart(stranger.pid!) })
      await expect(lockFile({ path, timeoutMs: 300, staleMs: 300_000, onWait: () => {} })).rejects.toBeInstanceOf(FileLockedError)
    } finally {
      stranger.kill()
    }
  })

  it('a lock written before this machine booted is stale even if its pid is alive now', async () => {
    const path = await journalPath()
    await forgeLock(`${path}.lock`, {
      pid: process.pid,
      hostname: hostname(),
      bootId: '00000000-0000-0000-0000-000000000000',
      processStart: processStart(process.pid),
    })
    const lock = await lockFile({ path, timeoutMs: 300, staleMs: 300_000 })
    await lock.release()
  })

  it('a lock from another host is a lease: taken over once not refreshed for staleMs', async () => {
    const path = await journalPath()
    await forgeLock(`${path}.lock`, { pid: 1, hostname: 'container-before-restart' }, 20_000)
    const lock = await lockFile({ path, timeoutMs: 300, staleMs: 15_000 })
    await lock.release()
    await forgeLock(`${path}.lock`, { pid: 1, hostname: 'container-still-running' }, 1_000)
    await expect(lockFile({ path, timeoutMs: 300, staleMs: 15_000, onWait: () => {} })).rejects.toBeInstanceOf(FileLockedError)
  })

  it('a stop signal ends the wait for a held lock', async () => {
    const path = await journalPath()
    await forgeLock(`${path}.lock`, { pid: 1, hostname: 'elsewhere' })
    const ctrl = new AbortController()
    const waiting = lockFile({ path, timeoutMs: 600_000, staleMs: 600_000, signal: ctrl.signal, onWait: () => ctrl.abort(new Error('stop')) })
    await expect(waiting).rejects.toThrow('stop')
  })
})

describe('scheduler: an interval job keeps its rate across restarts', () => {
  it('waits one interval after the last start, never more', () => {
    expect(firstIntervalRun(undefined, 100_000, 600_000)).toBe(100_000)
    expect(firstIntervalRun(40_000, 100_000, 600_000)).toBe(640_000)
    expect(firstIntervalRun(-600_000, 100_000, 600_000)).toBe(100_000)
    expect(firstIntervalRun(9_000_000, 100_000, 600_000)).toBe(700_000)
  })

  it('runSchedule starts the first run at lastStartedAt + every', async () => {
    let now = 1_000_000
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) }
    const due: number[] = []
    await runSchedule([{ name: 'bot', everySeconds: 600, lastStartedAt: () => 1_000_000 - 60_000, run: async (t) => void due.push(t.dueAt) }], {
      clock,
      maxRuns: 2,
    })
    expect(due).toEqual([1_000_000 + 540_000, 1_000_000 + 1_140_000])
  })
})

describe('autopilot passes cut short before their history line', () => {
  const step = (hash: string, value: string, status = 'confirmed') => ({
    name: 'swap',
    label: 'swap',
    to: '0x0000000000000000000000000000000000000001',
    value,
    data: '0x',
    nonce: 0,
    hash,
    raw: '0x',
    status,
    signedAt: '2026-12-05T10:00:01.000Z',
    gasUsed: '21000',
  })
  const run = (key: string, intent: string, steps: ReturnType<typeof step>[]) =>
    ({ key, intent, status: 'interrupted', createdAt: '2026-12-05T10:00:00.000Z', updatedAt: '2026-12-05T10:00:00.000Z', steps }) as JournalRun
  const at = Date.parse('2026-12-05T10:00:00.000Z')
  const recorded: HistoryEntry = {
    v: 1,
    at: '2026-12-05T09:00:00.000Z',
    epochStart: '2026-12-05T00:00:00.000Z',
    mode: 'run',
    target: 1,
    allowance: 0.5,
    spent: 0.1,
    spentPrevEpoch: null,
    utilisation: 0.2,
    projectedBefore: 0.5,
    projectedAfter: 0.8,
    reached: false,
    actions: [],
    ethSpent: '0.1',
    hashes: ['0xaa'],
    runwayHours: null,
    message: 'ok',
  }

  it('are rebuilt from the wallet journal: every sent tx counted, recorded ones and other intents left alone', () => {
    const runs = [
      run(`autopilot:${at - 3_600_000}-aaaaaa:0:swap0`, 'swapEthForVvv:1', [step('0xaa', '100000000000000000')]), // recorded pass
      run(`autopilot:${at}-bbbbbb:0:swap0`, 'swapEthForVvv:2', [step('0xb1', '137000000000000000'), step('0xb0', '5', 'dropped')]),
      run(`autopilot:${at}-bbbbbb:0:stake`, 'stakeVvv:3', [step('0xb2', '0')]),
      run('topUp:1', 'topUp:1', [step('0xcc', '999')]), // not the autopilot's
    ]
    const extra = interruptedPasses([recorded], runs)
    expect(extra).toHaveLength(1)
    expect(extra[0]).toMatchObject({
      at: '2026-12-05T10:00:00.000Z',
      epochStart: '2026-12-05T00:00:00.000Z',
      mode: 'run',
      target: 1,
      ethSpent: '0.137',
      hashes: ['0xb1', '0xb2'],
      reached: false,
    })
    expect(extra[0]!.actions.map((a) => a.action)).toEqual(['swapEthForVvv', 'stakeVvv'])
    expect(withInterruptedPasses([recorded], runs).map((e) => e.ethSpent)).toEqual(['0.1', '0.137'])
    // Once appended to the history, it is not rebuilt a second time.
    expect(interruptedPasses([recorded, ...extra], runs)).toEqual([])
  })
})
