/**
 * The one inter-process file lock (wallet journal, key store, autopilot pass, social bot): one process at a time
 * works on the guarded file. The lock is a file beside it (`<path>.lock`), created exclusively (`wx`),
 * holding the owner's pid, hostname, boot id and process start time. Its mtime is refreshed while held
 * (a lease), so a lock whose owner died is recognised: on this host, the machine rebooted since, the pid
 * is gone, or the pid now belongs to a process that started later (pid reuse, e.g. a restarted container);
 * on any host, the file has not been refreshed for `staleMs`. A stale lock is taken over under a short-lived guard file, so two
 * waiters can never both remove it and both believe they hold the journal.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'
import { getLogger } from './logger.js'
import { bootId, processStart } from './processIdentity.js'
import { sleep as defaultSleep } from './sleep.js'

/** Who holds a lock, as written in the lock file. */
export type LockHolder = {
  pid: number
  hostname: string
  startedAt: string
  /** The holder machine's boot id, when known: a lock from before a reboot is stale. */
  bootId?: string | undefined
  /** The holder process's start time (clock ticks since boot), when known: a live pid that started later is someone else. */
  processStart?: string | undefined
}

/** Another live process held the lock past the timeout. Nothing was done under it. */
export class FileLockedError extends BaseError {
  override name: string = 'FileLockedError'
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    readonly timeoutMs: number,
    shortMessage?: string,
    parameters: BaseErrorParameters = {},
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})` : 'another process'
    super(shortMessage ?? `${who} holds ${lockPath}; gave up after ${formatWait(timeoutMs)}.`, {
      metaMessages: [`If that process is no longer running, delete ${lockPath} (a lock whose process has exited on this host is taken over automatically).`],
      code: 'FILE_LOCKED',
      ...parameters,
    })
  }
}

/** `12 s`, or `50 ms` under a second. */
export function formatWait(ms: number): string {
  return ms >= 1_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`
}

export type LockFileParameters = {
  /** The guarded file; the lock is `<path>.lock`. */
  path: string
  /** How long to wait for another process's lock before giving up. */
  timeoutMs: number
  /** A lock not refreshed for this long is taken over even if its pid looks alive (pid reuse, another host). */
  staleMs: number
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: (() => number) | undefined
  sleep?: ((ms: number) => Promise<void>) | undefined
  /** Whether `pid` runs on this host; injectable for tests. */
  isAlive?: ((pid: number) => boolean) | undefined
  /** When `pid` started on this host (see `processStart`); injectable for tests. */
  startOf?: ((pid: number) => string | undefined) | undefined
  /** Stops the wait for another process's lock (throws the signal's reason); a lock already taken is kept. */
  signal?: AbortSignal | undefined
  /**
   * Called when the lock is found held by another live process, then every 5 s while waiting, so a command that
   * waits does not look hung. Default: an info log line (stderr) naming the holder and the time left.
   */
  onWait?: ((wait: LockWait) => void) | undefined
}

/** What `onWait` is told while another process holds the lock. */
export type LockWait = { lockPath: string; holder: LockHolder | undefined; waitedMs: number; timeoutMs: number }

/** How often a wait is reported again. */
const WAIT_NOTICE_MS = 5_000

const logWait = (w: LockWait): void =>
  getLogger('lock').info(
    `waiting for ${w.holder ? `process ${w.holder.pid} on ${w.holder.hostname}` : 'another process'} to release ${w.lockPath} (giving up in ${Math.ceil((w.timeoutMs - w.waitedMs) / 1000)} s)`,
    { lockPath: w.lockPath, holderPid: w.holder?.pid, holderHost: w.holder?.hostname, holderSince: w.holder?.startedAt, waitedMs: w.waitedMs },
  )

export type FileLock = {
  readonly path: string
  /** Removes the lock if it is still ours. Never throws. */
  release(): Promise<void>
  /** True once the lock may have been lost (a Postgres lock whose connection broke); file locks never say so. */
  lost?: (() => boolean) | undefined
}

type Held = { holder: LockHolder | undefined; raw: string; ageMs: number }

/** A lock file that cannot be parsed was torn by a crash between create and write; this long after its mtime it is stale. */
const TORN_GRACE_MS = 2_000
/** The takeover guard is held for a few syscalls; one older than this was left by a crash. */
const GUARD_STALE_MS = 5_000

/**
 * Takes the lock of `path`, waiting (polling with backoff) while another live process holds it, and taking
 * over a stale one.
 *
 * @throws {FileLockedError} when the lock is still held by a live process after `timeoutMs`.
 *
 * @example
 * ```ts
 * const lock = await lockFile({ path: '.gondola/keys.json', timeoutMs: 30_000, staleMs: 300_000 })
 * try { await work() } finally { await lock.release() }
 * ```
 */
export async function lockFile(parameters: LockFileParameters): Promise<FileLock> {
  const { timeoutMs, staleMs } = parameters
  const clock = parameters.clock ?? Date.now
  const sleep = parameters.sleep ?? defaultSleep
  const isAlive = parameters.isAlive ?? pidAlive
  const startOf = parameters.startOf ?? processStart
  const path = `${parameters.path}.lock`
  const isStale = (held: Held): boolean => {
    const h = held.holder
    if (!h) return held.ageMs > Math.min(TORN_GRACE_MS, staleMs)
    if (h.hostname === hostname()) {
      const boot = bootId()
      if (h.bootId && boot && h.bootId !== boot) return true
      if (!isAlive(h.pid)) return true
      const started = h.processStart ? startOf(h.pid) : undefined
      if (started !== undefined && started !== h.processStart) return true
    }
    return held.ageMs > staleMs
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const id = randomBytes(8).toString('hex')
  const onWait = parameters.onWait ?? logWait
  const start = clock()
  const deadline = start + timeoutMs
  let delay = 20
  let noticed = -Infinity
  for (;;) {
    const at = clock()
    parameters.signal?.throwIfAborted()
    const holder: LockHolder = {
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date(at).toISOString(),
      bootId: bootId(),
      processStart: processStart(process.pid),
    }
    if (await tryCreate(path, JSON.stringify({ ...holder, id }))) return held(path, id, staleMs)
    const current = await inspect(path, at)
    if (!current) continue // released between our create and our read
    if (isStale(current) && (await takeOver(path, clock, (h) => isStale(h)))) continue
    if (at >= deadline) throw new FileLockedError(path, current.holder, timeoutMs)
    if (at - noticed >= WAIT_NOTICE_MS) {
      noticed = at
      onWait({ lockPath: path, holder: current.holder, waitedMs: at - start, timeoutMs })
    }
    await abortable(sleep(Math.max(1, Math.min(delay + Math.random() * delay, deadline - at))), parameters.signal)
    delay = Math.min(delay * 2, 1_000)
  }
}

/** The lock we hold: refreshed every `staleMs / 5` so it never looks stale, removed on release only if still ours. */
function held(path: string, id: string, staleMs: number): FileLock {
  const timer = setInterval(
    () => {
      const now = new Date()
      utimes(path, now, now).catch(() => {})
    },
    Math.max(50, Math.floor(staleMs / 5)),
  )
  timer.unref()
  return {
    path,
    async release() {
      clearInterval(timer)
      try {
        const raw = await readFile(path, 'utf8')
        if (parseId(raw) === id) await unlink(path)
      } catch {
        // Already gone, or unreadable: nothing of ours to remove.
      }
    },
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    await handle.writeFile(`${content}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return true
}

async function inspect(path: string, now: number): Promise<Held | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    return { holder: parseHolder(raw), raw, ageMs: now - info.mtimeMs }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Removes a stale lock under the guard `<lock>.takeover`: the lock is read and judged again while the
 * guard is held, so a fresh lock another waiter created meanwhile is never removed.
 * @returns whether the stale lock was removed.
 */
async function takeOver(path: string, clock: () => number, isStale: (held: Held) => boolean): Promise<boolean> {
  const guard = `${path}.takeover`
  if (!(await tryCreate(guard, String(process.pid)))) {
    const info = await stat(guard).catch(() => undefined)
    if (info && clock() - info.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => {})
    return false
  }
  try {
    const current = await inspect(path, clock())
    if (!current || !isStale(current)) return current === undefined
    await unlink(path).catch(() => {})
    return true
  } finally {
    await unlink(guard).catch(() => {})
  }
}

/** A wait that ends early (rejecting with the reason) when `signal` aborts (an injected sleep knows no signal). */
function abortable(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    wait.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const json = JSON.parse(raw) as Partial<LockHolder>
    const opt = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
    if (Number.isSafeInteger(json.pid) && (json.pid as number) > 0 && typeof json.hostname === 'string' && typeof json.startedAt === 'string')
      return { pid: json.pid as number, hostname: json.hostname, startedAt: json.startedAt, bootId: opt(json.bootId), processStart: opt(json.processStart) }
  } catch {
    // torn or foreign content
  }
  return undefined
}

function parseId(raw: string): string | undefined {
  try {
    const json = JSON.parse(raw) as { id?: unknown }
    return typeof json.id === 'string' ? json.id : undefined
  } catch {
    return undefined
  }
}

/** `kill(pid, 0)` checks existence without signalling: ESRCH means gone, EPERM means alive under another user. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
