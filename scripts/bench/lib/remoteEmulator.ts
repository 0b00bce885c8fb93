/**
 * Starts the emulator in a child process (so its CPU time is not the measured process's) and talks
 * to it over IPC. Requests and sockets are counted at the server, in the child.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Address } from 'viem'
import type { RateLimitOverrides } from '../../../devnet/src/emulator/state/rateLimiter.js'
import type { ChildCommand, ServerStats } from './emulatorChild.js'

/** An emulator running in its own process. */
export type RemoteEmulator = {
  baseURL: string
  port: number
  /** Port of a trivial Fastify `POST /api/v1/chat/completions` in the same child (the emulator's baseline). */
  trivialPort: number
  /** The emulator process's id (the bench pins it to a core of its own). */
  pid: number
  createKey(owner: Address): Promise<string>
  setRateLimits(overrides: RateLimitOverrides): Promise<void>
  stats(): Promise<ServerStats>
  resetStats(): Promise<void>
  stop(): Promise<void>
}

type Pending = Map<number, (value: unknown) => void>
type Command = ChildCommand extends infer C ? (C extends ChildCommand ? Omit<C, 'id'> : never) : never

/**
 * @example
 * ```ts
 * const em = await startRemoteEmulator([OWNER])
 * const apiKey = await em.createKey(OWNER)
 * await em.stop()
 * ```
 */
export async function startRemoteEmulator(owners: Address[]): Promise<RemoteEmulator> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./emulatorChild.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_CPU_PROF}`] : [])],
    env: { ...process.env, BENCH_EMULATOR_OWNERS: JSON.stringify(owners) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const killChild = () => child.kill('SIGKILL')
  process.once('exit', killChild)
  const pending: Pending = new Map()
  let next = 0
  const ready = await new Promise<{ baseURL: string; port: number; trivialPort: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench emulator exited early (code ${code})`)))
    child.on('message', (m: { id?: number; value?: unknown; ready?: boolean; baseURL?: string; port?: number; trivialPort?: number }) => {
      if (m.ready) return resolve(m as { baseURL: string; port: number; trivialPort: number })
      if (m.id !== undefined) {
        pending.get(m.id)?.(m.value)
        pending.delete(m.id)
      }
    })
  })
  const call = <T>(command: Command): Promise<T> =>
    new Promise((resolve) => {
      const id = next++
      pending.set(id, resolve as (v: unknown) => void)
      child.send({ ...command, id })
    })
  return {
    ...ready,
    pid: child.pid!,
    createKey: (owner) => call<string>({ op: 'createKey', owner }),
    setRateLimits: async (overrides) => void (await call({ op: 'setRateLimits', overrides })),
    stats: () => call<ServerStats>({ op: 'stats' }),
    resetStats: async () => void (await call({ op: 'resetStats' })),
    stop: async () => {
      child.removeAllListeners('exit')
      const exited = new Promise((r) => child.once('exit', r))
      await Promise.race([call({ op: 'stop' }), exited])
      await exited
      process.off('exit', killChild)
    },
  }
}
