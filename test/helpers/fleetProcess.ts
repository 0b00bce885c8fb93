import { spawn, type ChildProcess } from 'node:child_process'

/** A `gondola` subprocess whose output is collected, for fleet tests (workers, treasuries). */
export type FleetProcess = {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when stdout or stderr matches `re` (rejects after `timeoutMs` or if the process exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Resolves with the exit code/signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const all = new Set<ChildProcess>()
const started: Array<{ args: string[]; out: () => string; err: () => string }> = []

/**
 * Starts `node bin/gondola.js …args` with `env`. Call `killAll()` in `afterAll` so no child outlives the file.
 *
 * @example
 * ```ts
 * const w = startGondola(['worker', '--concurrency', '2'], env)
 * await w.waitFor(/taking runs/)
 * w.child.kill('SIGKILL')
 * ```
 */
export function startGondola(args: string[], env: NodeJS.ProcessEnv): FleetProcess {
  const child = spawn(process.execPath, ['bin/gondola.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  all.add(child)
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), waiters.forEach((w) => w())))
  child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), waiters.forEach((w) => w())))
  started.push({ args, out: () => out, err: () => err })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      all.delete(child)
      resolve({ code, signal })
      waiters.forEach((w) => w())
    }),
  )
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re) ?? err.match(re)
          if (m) return done(() => resolve(m))
          if (child.exitCode !== null || child.signalCode !== null)
            return done(() => reject(new Error(`gondola ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before ${re}:\n${out}\n${err}`)))
        }
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${re} from gondola ${args.join(' ')}:\n${out}\n${err}`))), timeoutMs)
        const done = (f: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          f()
        }
        waiters.add(check)
        check()
      })
    },
  }
}

/** What every child started so far printed (for a failing test's message). */
export function transcript(): string {
  return [...started].map((p) => `--- gondola ${p.args.join(' ')}\n${p.out()}\n${p.err()}`).join('\n')
}

/** SIGKILLs every child still running. */
export function killAll(): void {
  for (const c of all) c.kill('SIGKILL')
  all.clear()
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 120_000, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
