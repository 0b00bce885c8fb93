import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { startAgentWorker } from '../../fleet/worker/agentWorker.js'
import { startTreasury } from '../../fleet/worker/treasury.js'
import { whileDatabaseDown } from '../../fleet/jobs/registry.js'
import { getLogger } from '../../util/logger.js'
import { openFleetFromEnv } from '../fleetContext.js'
import { optionalNumberFlag } from '../flags.js'
import { CLIError } from '../CLIError.js'

/**
 * `gondola worker`: a fleet worker on GONDOLA_DATABASE_URL. By default an agent worker (takes queued runs, holds
 * only INFERENCE keys, asks the treasury for top-ups); with `--treasury` the one process per wallet that opens
 * the keystore and signs top-ups. Runs until SIGTERM/SIGINT: it stops taking jobs, finishes those in hand, and exits.
 */
export default defineCommand({
  meta: { name: 'worker', description: 'Fleet worker on GONDOLA_DATABASE_URL: take queued agent runs (or, with --treasury, sign top-ups) until SIGTERM' },
  args: {
    treasury: {
      type: 'boolean',
      description: 'Treasury role: open the keystore and answer top-up jobs for this wallet (one per wallet; a second waits)',
      default: false,
    },
    concurrency: { type: 'string', description: 'Agent runs in flight at once in this process (default 2; agent role only)' },
    'grace-seconds': {
      type: 'string',
      description:
        'On SIGTERM/SIGINT, how long the jobs in hand may take to finish before they are failed with the reason and retried elsewhere (default 30 for runs, 60 for a top-up)',
    },
  },
  async run({ args }) {
    const concurrency = optionalNumberFlag(args.concurrency, '--concurrency', { min: 1, max: 64, integer: true, example: '4' })
    const grace = optionalNumberFlag(args['grace-seconds'], '--grace-seconds', { min: 0, max: 3600, integer: true, example: '30' })
    // A treasury's top-up (five transactions) gets a minute by default; an agent run half that.
    const graceMs = grace === undefined ? undefined : grace * 1000
    if (args.treasury && concurrency !== undefined)
      throw new CLIError('--concurrency is for agent workers: a treasury signs one top-up at a time.', { code: 'CLI_BAD_FLAG_VALUE' })
    const env = readEnv()
    const err = (line: string) => process.stderr.write(`gondola worker: ${line}\n`)
    const out = (line: string) => process.stdout.write(`${line}\n`)
    const log = getLogger('fleet')
    const n = concurrency ?? 2
    const ctrl = new AbortController()
    let stopRole: (() => Promise<void>) | undefined
    // Signals are handled from the start: a worker told to stop while it is still starting stops cleanly too.
    const stop = (signal: string) => {
      if (ctrl.signal.aborted) {
        // A second signal: stop now (the runs in hand are retried elsewhere after their expiry).
        err(`${signal} again: exiting now.`)
        process.exit(1)
      }
      err(`${signal}: finishing the jobs in hand, then exiting.`)
      ctrl.abort()
    }
    const onTerm = () => stop('SIGTERM')
    const onInt = () => stop('SIGINT')
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
    let fleet: Awaited<ReturnType<typeof openFleetFromEnv>> | undefined
    try {
      // A worker started while Postgres restarts waits for it (up to a minute) instead of exiting.
      fleet = await whileDatabaseDown(() => {
        if (ctrl.signal.aborted) return Promise.resolve(undefined)
        return openFleetFromEnv(env, { command: 'gondola worker', onError: (m) => log.warn('job engine error', { error: m }), max: Math.max(5, n + 3) })
      })
      if (!fleet || ctrl.signal.aborted) {
        // Told to stop while connecting: nothing was taken yet.
      } else if (args.treasury) {
        // As for an agent worker: Postgres restarting while the treasury starts is waited out (its lock, held on a
        // connection the restart ended, is released with it).
        const opened = fleet
        const t = await whileDatabaseDown(() =>
          startTreasury({ env, db: opened.db, jobs: opened.jobs, log, signal: ctrl.signal, onWait: err, onTopUp: out }),
        ).catch((e: unknown) => {
          if (ctrl.signal.aborted) return undefined
          throw e
        })
        if (t) {
          stopRole = () => t.stop(graceMs)
          out(`treasury ${t.id} for ${t.address}: answering top-ups (Ctrl-C or SIGTERM to stop).`)
        }
      } else {
        // Postgres restarting while the worker registers is waited out too (a worker restarted mid-outage).
        const opened = fleet
        const w = await whileDatabaseDown(() => startAgentWorker({ env, db: opened.db, jobs: opened.jobs, concurrency: n, log }))
        stopRole = async () => {
          const { failed } = await w.stop(graceMs)
          if (failed) err(`${failed} run(s) did not finish within the graceful window: failed with the reason (pg-boss retries them while retries are left).`)
        }
        out(`worker ${w.id} for ${w.address}: taking runs, ${n} at a time (Ctrl-C or SIGTERM to stop).`)
      }
      if (!ctrl.signal.aborted) await new Promise<void>((resolve) => ctrl.signal.addEventListener('abort', () => resolve(), { once: true }))
      // The role stops (jobs in hand finished or failed with their reason, answers written), then the pool closes.
      await stopRole?.()
      out('stopped.')
    } finally {
      await fleet?.close()
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
    }
  },
})
