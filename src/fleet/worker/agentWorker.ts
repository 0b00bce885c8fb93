import { join } from 'node:path'
import { ledgerPathIn } from '../../agent/ledger.js'
import type PgBoss from 'pg-boss'
import { loadAgent, type ModelAgent } from '../../registry/index.js'
import type { Env } from '../../config/env.js'
import { createAgentHost, type AgentHost } from '../../host/createAgentHost.js'
import { createStateStores } from '../state/createStateStores.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import type { Logger } from '../../util/logger.js'
import { redactText } from '../../util/redact.js'
import type { Database } from '../db/openDatabase.js'
import type { FleetJobs } from '../jobs/openFleetJobs.js'
import { StaleAttemptError } from '../jobs/floatingStatements.js'
import { RUN_QUEUE, runJobSchema, SCHEDULE_QUEUE_PREFIX } from '../jobs/queues.js'
import { endOrphanRuns, endRunsOfWorker, HEARTBEAT_SECONDS, recordRunEnd, recordRunStart, registerWorker } from '../jobs/registry.js'
import { inferenceOnly, walletOfAgentKeys } from './inferenceKeys.js'
import { readOnlyWallet } from './readOnlyWallet.js'
import { fundingPolicyFromEnv } from '../../agent/fundingPolicy.js'
import type { RateLimits } from '../../venice/schemas.js'

export type AgentWorkerOptions = {
  env: Env
  db: Database
  jobs: FleetJobs
  /** Runs in flight at once in this process. */
  concurrency: number
  log?: Logger | undefined
  /**
   * How long a run waits for the treasury's answer to a top-up request (default: a third of the run timeout, at
   * most 120 s — a run must end well before its expiry, or pg-boss would hand it to another worker too).
   */
  topUpTimeoutMs?: number | undefined
  /** How often a worker looks for new schedule queues (default 10 s). */
  scheduleScanMs?: number | undefined
}

/** How long the treasury's balances read by this worker are kept when it asks for no top-up itself. */
const LIMITS_TTL_MS = 60_000

/** A run failed for a reason a retry cannot fix (unknown agent, a script agent): completed as refused, not retried. */
class PermanentRunError extends Error {}

/** Resolves with `p`'s value, or `undefined` after `ms` (whichever is first); the timer does not hold the process. */
const upTo = <T>(p: Promise<T> | undefined, ms: number): Promise<T | undefined> =>
  p === undefined
    ? Promise.resolve(undefined)
    : new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(undefined), Math.max(0, ms))
        t.unref()
        p.then(resolve, reject).finally(() => clearTimeout(t))
      })

/** Resolves with `p`, or after `ms` (whichever is first); the timer does not hold the process. */
const within = (p: Promise<unknown>, ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    t.unref()
    void p.finally(() => (clearTimeout(t), resolve()))
  })

/**
 * An agent worker: takes runs from the fleet's queue, `concurrency` at a time, and runs each on the agent's own
 * INFERENCE key. It holds no private key and no ADMIN key: its wallet only reads, and a top-up (automatic or
 * asked for by the model) is a job on the wallet's treasury queue, answered by `gondola worker --treasury`.
 * A run whose worker dies stays `active` until its expiry, then pg-boss retries it on any worker.
 *
 * @example
 * ```ts
 * const worker = await startAgentWorker({ env, db, jobs, concurrency: 4 })
 * process.once('SIGTERM', () => void worker.stop())
 * ```
 */
export async function startAgentWorker(o: AgentWorkerOptions) {
  const { env, db, jobs } = o
  // The fleet's stores (Postgres: key store sealed per role — the agent role cannot unseal the ADMIN key —, journal,
  // ledger, run history, one rate budget per key and one failure budget per account across workers).
  const stores = await createStateStores(env, { role: 'agent', database: db })
  const store = inferenceOnly(await stores.openKeyStore())
  const address = walletOfAgentKeys(store)
  const wallet = await readOnlyWallet(env, address, { journalStore: stores.journalStore })
  const me = await registerWorker(db, {
    role: 'agent',
    concurrency: o.concurrency,
    info: { wallet: address },
    onError: (m) => o.log?.warn('heartbeat failed', { error: redactText(m) }),
  })
  const log = o.log?.child({ worker: me.id })
  const hosts = new Map<string, Promise<{ host: AgentHost; agent: ModelAgent }>>()
  const ctrl = new AbortController()
  const counts = { runs: 0, completed: 0, failed: 0, steps: 0 }
  // The runs in hand (job id → its handler), and why they are being stopped once `stop` gives up waiting.
  const inHand = new Map<string, Promise<unknown>>()
  let stopReason: string | undefined

  // The treasury's latest balances (its last top-up answer), read once and kept until this worker's next top-up or
  // for LIMITS_TTL_MS: a balance refresh per run was one round trip per run, for a figure only a top-up changes
  // (between top-ups the response headers carry the balance).
  let limits: { at: number; value: Promise<RateLimits> } | undefined
  const readRateLimits = (): Promise<RateLimits> => {
    if (!limits || Date.now() - limits.at > LIMITS_TTL_MS) {
      // "No treasury has answered yet" is kept too: balances then come from the response headers.
      limits = { at: Date.now(), value: jobs.latestRateLimits(address) }
      limits.value.catch(() => {})
    }
    return limits.value
  }

  const hostFor = (name: string) => {
    let h = hosts.get(name)
    if (!h) {
      h = (async () => {
        const agent = await loadAgent(name, { agentsDir: env.GONDOLA_AGENTS_DIR })
        if (agent.kind !== 'model')
          throw new PermanentRunError(
            `"${name}" is a script agent: it signs, so it runs on the treasury machine (gondola run ${name}), not on an agent worker.`,
          )
        const def = agent.definition
        const host = createAgentHost({
          wallet,
          store,
          baseURL: resolveVeniceBaseUrl(env),
          outboxDir: join(env.GONDOLA_STATE_DIR, 'outbox'),
          state: {
            ledger: stores.ledger(ledgerPathIn(env.GONDOLA_STATE_DIR)),
            runHistory: stores.runHistory(join(env.GONDOLA_STATE_DIR, 'runs.jsonl')),
            failureBudget: stores.failureBudget(address),
            createLimiter: stores.createLimiter,
          },
          funding: fundingPolicyFromEnv(env, def.funding),
          tools: agent.tools,
          logger: log?.child({ agent: def.name }),
          // No ADMIN key here: balances after a top-up come from the treasury's answer, never from an INFERENCE
          // key asking an ADMIN route.
          readRateLimits,
          // Never signed here: the treasury's policy and funding window decide.
          remoteTopUp: async ({ eth, reason, agent: who }) => {
            const r = await jobs.requestTopUp(
              { wallet: address, ethWei: eth.toString(), reason, agent: who ?? def.name, requestedBy: me.id },
              { timeoutMs: o.topUpTimeoutMs ?? Math.min(120_000, (env.GONDOLA_FLEET_RUN_TIMEOUT_SECONDS * 1000) / 3), signal: ctrl.signal },
            )
            // The balances changed: the next refresh reads the treasury's new answer.
            if (r.ok) limits = undefined
            return r
          },
        })
        return { host, agent }
      })()
      hosts.set(name, h)
      h.catch(() => hosts.delete(name))
    }
    return h
  }

  const runJob = async (job: PgBoss.JobWithMetadata<unknown>): Promise<object> => {
    // The attempt's lease: pg-boss fails the handler, and its maintenance expires the job, `expireInSeconds` after
    // the job was taken; then the run is delivered again. Everything this attempt does fits inside it: the run is
    // stopped `reserveMs` before the end, which is kept for what follows (its top-up answer, ledger, record).
    const leaseEnds = Date.now() + job.expireInSeconds * 1000
    const reserveMs = Math.min(5_000, job.expireInSeconds * 250)
    const leftMs = () => leaseEnds - Date.now()
    const parsed = runJobSchema.safeParse(job.data)
    const attempt = job.retryCount + 1
    const agentName = parsed.success ? parsed.data.agent : '(invalid)'
    counts.runs++
    await recordRunStart(db, { jobId: job.id, attempt, agent: agentName, workerId: me.id })
    /** Records the attempt's end; an answer the job is no longer this attempt's to take is a `StaleAttemptError`. */
    /** With `complete` (the job's output), an outcome also completes the job in the same statement. */
    const recordEnd = async (end: Parameters<typeof recordRunEnd>[1], complete?: Record<string, unknown>) => {
      const r = await recordRunEnd(db, end, { forMs: Math.max(1_000, leftMs()), complete })
      if (r.jobCompleted) jobs.completedInRecord(job.id)
      if (!r.recorded)
        log?.warn('attempt discarded: another attempt holds the run', { agent: agentName, job: job.id, attempt, status: end.status, reason: r.reason })
      if (!r.leaseHeld)
        throw new StaleAttemptError(`Attempt ${attempt} of run ${job.id} ended after its lease.`, {
          details: r.recorded ? 'pg-boss expired it and retries the run' : r.reason,
        })
      return r
    }
    let counted: { steps?: number; costDiem?: number; costUsd?: number } = {}
    try {
      if (!parsed.success) throw new PermanentRunError(`The job is not a run: ${parsed.error.issues[0]?.message ?? 'invalid'}.`)
      const { host, agent } = await hostFor(parsed.data.agent).catch((err: unknown) => {
        throw err instanceof PermanentRunError ? err : new PermanentRunError(oneLine(err))
      })
      log?.info('run started', { agent: agentName, job: job.id, attempt })
      // One signal per run, tied to the worker's: listeners the run adds go away with it.
      const runCtrl = new AbortController()
      const abortRun = () => runCtrl.abort(ctrl.signal.reason)
      ctrl.signal.addEventListener('abort', abortRun, { once: true })
      // Near the end of its lease the run stops: past it pg-boss gives the run up (fails it, hands it on).
      let expired: string | undefined
      const expiry = setTimeout(
        () =>
          runCtrl.abort(
            new Error((expired = `the run reached the end of its lease (${job.expireInSeconds} s, ${Math.round(reserveMs / 1000)} s kept to record it)`)),
          ),
        Math.max(0, leftMs() - reserveMs),
      )
      expiry.unref()
      const r = await host
        .run(agent.definition, {
          prompt: parsed.data.prompt,
          maxSteps: parsed.data.maxSteps,
          budgetDiem: parsed.data.budgetDiem,
          signal: runCtrl.signal,
          runId: `${job.id}:${attempt}`,
        })
        .finally(() => {
          clearTimeout(expiry)
          ctrl.signal.removeEventListener('abort', abortRun)
        })
      counted = { steps: r.steps, costDiem: r.costDiem, costUsd: r.costUsd }
      // Stopped by this worker's stop or its lease (not an outcome of the run): failed with the reason, retried elsewhere.
      const interrupted = expired ?? stopReason
      if (interrupted !== undefined && r.status === 'aborted') throw new Error(interrupted)
      // As `gondola run` does: a top-up the run's spend called for is asked for before the run reports, and its
      // answer waited for while the lease allows (the request stays queued for the treasury either way).
      const funding = await upTo(host.runner.key(agent.definition.name)?.funding?.maybeTopUp('runway'), leftMs() - reserveMs / 2)
      if (funding && funding.action !== 'not_needed') log?.info('funding', { agent: agentName, action: funding.action })
      await upTo(host.ledger.flush(), leftMs() - reserveMs / 2)
      // A model or network error is worth another try (on this or another worker); anything else is an outcome.
      if (r.status === 'error') throw new Error(r.error?.shortMessage ?? r.fundingError?.shortMessage ?? 'the run failed')
      const snapshot = host.runner.key(agent.definition.name)?.monitor.snapshot()
      if (snapshot)
        me.setInfo({
          runway: {
            [agent.definition.name]: {
              hours: Number.isFinite(snapshot.runwayHours) ? snapshot.runwayHours : null,
              level: snapshot.level,
              spendable: snapshot.spendable ?? null,
              at: new Date().toISOString(),
            },
          },
        })
      counts.steps += r.steps
      // Database statements this process sent (state + job engine), for `fleet status` and the bench.
      me.setInfo({ roundTrips: db.roundTrips() + jobs.roundTrips(), steps: counts.steps, runs: counts.runs })
      const error = r.error?.shortMessage ?? r.fundingError?.shortMessage
      const summary = { status: r.status, steps: r.steps, costDiem: r.costDiem, costUsd: r.costUsd, error: error ? redactText(error) : undefined }
      const end = await recordEnd({ jobId: job.id, attempt, ...summary }, summary)
      if (end.recorded) counts.completed++
      log?.info('run finished', { agent: agentName, job: job.id, status: r.status, steps: r.steps, ...(end.recorded ? {} : { discarded: true }) })
      return summary
    } catch (err) {
      if (err instanceof StaleAttemptError) throw err
      const message = redactText(oneLine(err))
      if (err instanceof PermanentRunError) {
        await recordEnd({ jobId: job.id, attempt, status: 'refused', error: message }, { status: 'refused', error: message }).catch((e: unknown) => {
          if (e instanceof StaleAttemptError) throw e
        })
        log?.warn('run refused', { agent: agentName, job: job.id, error: message })
        return { status: 'refused', error: message }
      }
      counts.failed++
      await recordEnd({ jobId: job.id, attempt, status: 'failed', error: message, ...counted }).catch((e: unknown) => {
        if (e instanceof StaleAttemptError) throw e
      })
      throw new Error(message)
    }
  }

  const workOptions = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: 0.5 }
  // `concurrency` pollers of one job each: pg-boss's own way to run N jobs at once in a process.
  // After a job, a poller fetches the next at once (pg-boss otherwise waits out its polling interval): a busy
  // worker never idles between runs; an idle one polls every half second.
  for (let i = 0; i < o.concurrency; i++) {
    let id = ''
    id = await jobs.boss.work(RUN_QUEUE, workOptions, async ([job]) => {
      if (!job) return undefined
      const run = runJob(job)
      inHand.set(job.id, run)
      try {
        return await run
      } finally {
        inHand.delete(job.id)
        jobs.boss.notifyWorker(id)
      }
    })
  }

  // Schedules: each cron tick is a job on the agent's schedule queue; whichever worker takes it queues the run.
  const watched = new Set<string>()
  const scan = async () => {
    const queues = (await jobs.boss.getQueues().catch(() => [])).map((q) => q.name).filter((n) => n.startsWith(SCHEDULE_QUEUE_PREFIX) && !watched.has(n))
    for (const name of queues) {
      watched.add(name)
      await jobs.boss.work(name, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([tick]) => {
        const data = runJobSchema.safeParse(tick?.data)
        if (data.success) await jobs.submitRun({ ...data.data, submittedBy: `schedule ${name}` })
      })
    }
  }
  await scan()
  const scanner = setInterval(() => void scan(), o.scheduleScanMs ?? 10_000)
  scanner.unref()
  // Attempts no live worker holds (expired after their last retry, or their worker SIGKILLed) are ended with
  // their reason, by whichever worker is alive: no run stays `active` forever.
  const reaper = setInterval(
    () => void endOrphanRuns(db).catch((err: unknown) => log?.warn('ending orphan runs failed', { error: redactText(oneLine(err)) })),
    HEARTBEAT_SECONDS * 2_000,
  )
  reaper.unref()
  // What start-up cost (migrations, pg-boss, registration, the key store): the bench's per-step figure leaves it out.
  me.setInfo({ startupRoundTrips: db.roundTrips() + jobs.roundTrips() })

  return {
    id: me.id,
    address,
    counts: () => ({ ...counts }),
    /** Runs in hand right now. */
    inHand: () => inHand.size,
    /**
     * Stops taking runs and waits (up to `timeoutMs`) for those in hand. Then fails what is left with the reason
     * (recorded in `fleet_runs` and in the job; pg-boss retries it elsewhere), waits for every job answer to be
     * written, and deregisters. The pool is the caller's to close after this resolves: nothing uses it after.
     */
    async stop(timeoutMs = 30_000): Promise<{ failed: number }> {
      clearInterval(scanner)
      clearInterval(reaper)
      await Promise.all([RUN_QUEUE, ...watched].map((q) => jobs.boss.offWork(q).catch(() => {})))
      await within(Promise.allSettled([...inHand.values()]), timeoutMs)
      const failed = inHand.size
      if (failed) {
        stopReason = `the worker ${me.id} stopped before the run finished (graceful window ${Math.round(timeoutMs / 1000)} s); pg-boss retries it while retries are left`
        log?.warn('stopping: failing the runs in hand', { runs: failed, reason: stopReason })
      }
      ctrl.abort(new Error(stopReason ?? 'the worker stopped'))
      // An aborted run ends at its next await (a model call, a tool, a top-up wait) and records its failure.
      await within(Promise.allSettled([...inHand.values()]), 15_000)
      // Fails in pg-boss whatever still did not end, and waits for every completion/failure to be written.
      await jobs.stop({ graceful: false, timeoutMs: 1000 }).catch((err: unknown) => log?.warn('job engine stop failed', { error: redactText(oneLine(err)) }))
      if (failed)
        await endRunsOfWorker(db, me.id, stopReason!).catch((err: unknown) =>
          log?.warn('recording the stopped runs failed', { error: redactText(oneLine(err)) }),
        )
      for (const h of hosts.values())
        await h.then(
          ({ host }) => host.close(),
          () => {},
        )
      await me.stop()
      return { failed }
    },
  }
}

function oneLine(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown }
  return String(typeof e?.shortMessage === 'string' ? e.shortMessage : typeof e?.message === 'string' ? e.message : err).split('\n')[0]!
}
