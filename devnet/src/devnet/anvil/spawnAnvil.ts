import { spawn, type ChildProcess } from 'node:child_process'
import { AnvilStartError, PortInUseError } from '../errors.js'
import { resolveAnvilBinary } from './resolveAnvilBinary.js'

/**
 * A shell wrapper that runs anvil and kills it as soon as its stdin pipe closes. The parent
 * holds the other end: when the parent exits for any reason (even SIGKILL) the OS closes the
 * pipe and anvil goes with it, so no anvil outlives the process that started it.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- & anvil=$!',
  '( cat <&3 >/dev/null; kill $anvil 2>/dev/null ) &',
  'exec 3<&-',
  'echo "anvil-pid $anvil" >&2',
  "trap 'kill $anvil 2>/dev/null' TERM INT HUP",
  'status=0',
  'while kill -0 $anvil 2>/dev/null; do wait $anvil; status=$?; done',
  'exit $status',
].join('\n')

export type SpawnAnvilOptions = {
  /** TCP port on 127.0.0.1; 0 or undefined picks a free one. */
  port?: number | undefined
  /** Extra command-line arguments for anvil. */
  args?: readonly string[] | undefined
  /** How long to wait for `Listening on …` (ms). Default 15 000. */
  timeoutMs?: number | undefined
}

export type AnvilProcess = {
  port: number
  rpcUrl: string
  /** Everything anvil printed up to `Listening on …` (accounts, keys, chain id). */
  banner: string
  /** Stops anvil and waits until the process is gone. Idempotent. */
  stop(): Promise<void>
  /** anvil's own process id. */
  pid: number
  /** The wrapper process (its pid is not anvil's). */
  child: ChildProcess
}

/**
 * Starts anvil on 127.0.0.1 and resolves once it listens.
 *
 * @param options - port (free by default), extra args, timeout.
 * @returns the port, RPC URL and a `stop()`.
 * @throws {PortInUseError} when the given port is taken.
 * @throws {AnvilStartError} when anvil exits or stays silent before listening.
 *
 * @example
 * ```ts
 * const anvil = await spawnAnvil()
 * console.log(anvil.rpcUrl) // http://127.0.0.1:40211
 * await anvil.stop()
 * ```
 */
export async function spawnAnvil(options: SpawnAnvilOptions = {}): Promise<AnvilProcess> {
  const binary = resolveAnvilBinary()
  const port = options.port ?? 0
  const args = ['--host', '127.0.0.1', '--port', String(port), ...(options.args ?? [])]
  const child = spawn('/bin/sh', ['-c', WATCHDOG, binary, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group: a terminal's Ctrl-C reaches only us, so we can save state before stopping anvil.
    detached: true,
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  const listeningPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new AnvilStartError(`anvil did not start listening within ${options.timeoutMs ?? 15_000} ms.`, { details: tail(output) })),
      options.timeoutMs ?? 15_000,
    )
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output)
      // Both lines: anvil's own (stdout) and the wrapper's pid line (stderr), which a loaded machine can deliver
      // after anvil is already listening (the pid was then NaN).
      if (match && /anvil-pid \d+/.test(output)) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    const fail = (err: Error): void => {
      clearTimeout(timer)
      child.stdin?.end()
      reject(err)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('error', (err) => fail(new AnvilStartError('Could not run anvil.', { cause: err, metaMessages: [`Binary: ${binary}`] })))
    child.once('exit', (code) => {
      if (/address already in use/i.test(output)) {
        fail(
          new PortInUseError(`Port ${port} on 127.0.0.1 is already in use.`, {
            metaMessages: ['Stop the process using it, pass another --port, or omit the port to pick a free one.'],
            code: 'PORT_IN_USE',
          }),
        )
      } else fail(new AnvilStartError(`anvil exited with code ${code} before listening.`, { details: tail(output) }))
    })
  })
  // Keep draining output so anvil never blocks on a full pipe.
  child.stdout!.removeAllListeners('data').resume()
  child.stderr!.removeAllListeners('data').resume()
  let stopping: Promise<void> | undefined
  return {
    port: listeningPort,
    pid: Number(/anvil-pid (\d+)/.exec(output)?.[1]),
    banner: output,
    rpcUrl: `http://127.0.0.1:${listeningPort}`,
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // Closing the pipe makes the watchdog kill anvil; the wrapper exits once anvil is reaped.
          child.stdin?.end()
          const forced = setTimeout(() => child.kill('SIGTERM'), 5_000)
          await exited
          clearTimeout(forced)
        }
      })()
      return stopping
    },
  }
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n')
}
