import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import type { Shutdown } from '../util/shutdown.js'
import type { Reporter } from './reporter.js'

/** The demo was asked to stop (SIGINT/SIGTERM): the step in flight was finished, no later step started, the world is stopped. */
export class DemoStoppedError extends BaseError {
  override name = 'DemoStoppedError' as const
  override exitCode = ExitCode.interrupted
  constructor(
    readonly stop: { signal: string; step: number; of: number; title: string; transactions: number },
    cause?: unknown,
  ) {
    super(
      `stopped by ${stop.signal} after step ${stop.step} of ${stop.of} (${stop.title}); ${stop.transactions} transactions sent; the local world is stopped.`,
      { code: 'DEMO_STOPPED', cause },
    )
  }
}

/**
 * A demo's steps, stoppable between them: each step is reported and named to the stop handler while it runs; a
 * stop asked for during a step ends the story after it (`DemoStoppedError`), unless it was the last step, which is
 * the whole story. Shared by both demos (`runDemo`, `runX402Demo`).
 *
 * @example
 * ```ts
 * const step = stoppableSteps({ report, total: 4, shutdown, transactions: () => sent.length })
 * const world = await step('Starting the local world: anvil …', () => startLocalWorld())
 * ```
 */
export function stoppableSteps(o: {
  report: Reporter
  total: number
  shutdown?: Pick<Shutdown, 'signal' | 'doing'> | undefined
  /** Transactions sent so far, for the stop line. */
  transactions: () => number
}) {
  let stepsDone = 0
  return async <T>(title: string, task: () => Promise<T>): Promise<T> => {
    const short = title.split(':')[0]!
    const clear = o.shutdown?.doing(`step ${stepsDone + 1} of ${o.total} (${short})`)
    try {
      const result = await o.report.step(title, task)
      stepsDone++
      const reason = o.shutdown?.signal.aborted ? (o.shutdown.signal.reason as { signal?: string } | undefined) : undefined
      if (reason && stepsDone < o.total)
        throw new DemoStoppedError({ signal: reason.signal ?? 'a signal', step: stepsDone, of: o.total, title: short, transactions: o.transactions() })
      return result
    } finally {
      clear?.()
    }
  }
}
