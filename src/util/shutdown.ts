/**
 * Stop when told, in one place. Every long-running command (a scheduled loop, a server, the devnet, an autopilot
 * pass) takes one `Shutdown`: the first SIGINT or SIGTERM aborts its root `AbortSignal`, says on stderr what
 * will be finished before stopping, and the command stops between steps; a second signal says what was still in
 * flight and exits 130 at once (what a forced exit left half-done is recoverable from the wallet journal).
 *
 * Commands never install their own signal handlers: they read `signal`, and name the step in hand with `doing`.
 */
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'

/** The reason the root signal is aborted with: which signal asked the process to stop. */
export class ShutdownRequestedError extends BaseError {
  override name = 'ShutdownRequestedError' as const
  constructor(readonly signal: NodeJS.Signals) {
    super(`Stopped by ${signal}.`, { code: 'SHUTDOWN_REQUESTED', exitCode: ExitCode.interrupted })
  }
}

export type Shutdown = {
  /** Aborted at the first SIGINT/SIGTERM; its reason is a {@link ShutdownRequestedError}. */
  readonly signal: AbortSignal
  /** The signal that asked us to stop, once one has. */
  readonly received: NodeJS.Signals | undefined
  /**
   * Names the step in hand (`'swap 0.05 ETH → VVV'`), for the notices; returns a function that clears it.
   * Nested calls stack: the innermost step is named.
   */
  doing(what: string): () => void
  /** Removes the handlers (a later signal gets Node's default behaviour again). Idempotent. */
  dispose(): void
}

export type HandleShutdownOptions = {
  /** Who is stopping, as the notices say it (`'gondola run'`). */
  name: string
  /** What the first signal lets finish when no step is named (default `'the step in hand'`). */
  finishing?: string | undefined
  /** Where the notices go (default stderr: stdout carries results only). */
  write?: ((line: string) => void) | undefined
  /** How a forced exit exits (default `process.exit`); injectable for tests. */
  exit?: ((code: number) => void) | undefined
  /** The emitter signals arrive on (default `process`). */
  target?: Pick<NodeJS.EventEmitter, 'on' | 'off'> | undefined
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * Installs the process's stop handlers for one command.
 *
 * @example
 * ```ts
 * const shutdown = handleShutdown({ name: 'gondola devnet' })
 * try {
 *   await new Promise((resolve) => shutdown.signal.addEventListener('abort', resolve, { once: true }))
 * } finally {
 *   shutdown.dispose()
 * }
 * ```
 */
export function handleShutdown(o: HandleShutdownOptions): Shutdown {
  const write = o.write ?? ((line: string) => void process.stderr.write(`${line}\n`))
  const exit = o.exit ?? ((code: number) => process.exit(code))
  const target = o.target ?? process
  const ctrl = new AbortController()
  const steps: string[] = []
  let received: NodeJS.Signals | undefined
  let disposed = false
  const inHand = () => steps.at(-1)
  const onSignal = (sig: NodeJS.Signals) => {
    if (received === undefined) {
      received = sig
      const what = inHand() ?? o.finishing ?? 'the step in hand'
      write(`${o.name}: ${sig} received — finishing ${what}, then stopping (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again forces exit).`)
      ctrl.abort(new ShutdownRequestedError(sig))
      return
    }
    const what = inHand()
    write(`${o.name}: ${sig} again — forced exit${what ? ` during ${what}` : ''}; anything sent is in the wallet journal and is settled on the next run.`)
    exit(ExitCode.interrupted)
  }
  for (const s of SIGNALS) target.on(s, onSignal)
  return {
    signal: ctrl.signal,
    get received() {
      return received
    },
    doing(what) {
      steps.push(what)
      return () => {
        const i = steps.lastIndexOf(what)
        if (i >= 0) steps.splice(i, 1)
      }
    },
    dispose() {
      if (disposed) return
      disposed = true
      for (const s of SIGNALS) target.off(s, onSignal)
    },
  }
}

/**
 * Resolves when `signal` aborts (at once if it already has): the wait of a server that runs until told to stop.
 *
 * @example
 * ```ts
 * await untilAborted(shutdown.signal)
 * await server.close()
 * ```
 */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
