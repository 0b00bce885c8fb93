import type PgBoss from 'pg-boss'
import type { TopUpResult } from '../../agent/funding.js'
import type { Env } from '../../config/env.js'
import { describeTopUp, finishInterruptedTopUp, requestTopUp } from '../../host/walletTopUp.js'
import type { Logger } from '../../util/logger.js'
import { redactText } from '../../util/redact.js'
import type { Wallet } from '../../wallet/createWallet.js'
import { openWallet } from '../../runtime/openWallet.js'
import type { Database } from '../db/openDatabase.js'
import type { FleetJobs } from '../jobs/openFleetJobs.js'
import { topUpJobSchema } from '../jobs/queues.js'
import { registerWorker } from '../jobs/registry.js'
import { treasuryLock } from './treasuryLock.js'
import { createStateStores } from '../state/createStateStores.js'
import { fundingPolicyFromEnv } from '../../agent/fundingPolicy.js'
import { originOf, storedAdminKey } from '../../keys/provisionApiKey.js'
import { createVeniceClient } from '../../venice/createVeniceClient.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import type { RateLimits } from '../../venice/schemas.js'

export type TreasuryOptions = {
  env: Env
  db: Database
  jobs: FleetJobs
  log?: Logger | undefined
  /** Said once when another treasury holds the wallet and this one waits (the CLI writes it to stderr). */
  onWait?: ((message: string) => void) | undefined
  /** Told about each top-up answered (the CLI prints one line). */
  onTopUp?: ((line: string) => void) | undefined
  signal?: AbortSignal | undefined
  /** The wallet (tests); default: `openWallet(env)`, the keystore and its password. */
  wallet?: Wallet | undefined
}

/**
 * The treasury: the only fleet role that opens the keystore and signs. It takes the wallet's treasury lock (a
 * second treasury waits), finishes any top-up a previous treasury left half-done (from the wallet journal), then
 * answers top-up jobs one at a time under the wallet's spend policy and funding window — its own policy, not the
 * requester's. A top-up job keeps its idempotency key across retries, so a treasury SIGKILLed mid-top-up is
 * resumed by the next one without a second swap or mint.
 *
 * @example
 * ```ts
 * const treasury = await startTreasury({ env, db, jobs, onWait: (m) => process.stderr.write(`${m}\n`) })
 * process.once('SIGTERM', () => void treasury.stop())
 * ```
 */
export async function startTreasury(o: TreasuryOptions) {
  const { env, db, jobs } = o
  // The wallet journal and its lock in Postgres (the treasury role: the keystore password unseals the ADMIN key).
  const stores = await createStateStores(env, { role: 'treasury', database: db })
  const wallet = o.wallet ?? (await openWallet(env, { journalStore: stores.journalStore }))
  const queue = await jobs.topUpQueue(wallet.address)
  // The funding window is the wallet's (requestTopUp, under its lock): the same policy an agent host would use.
  const policy = fundingPolicyFromEnv(env)
  const counts = { answered: 0, toppedUp: 0, refused: 0, failed: 0 }
  let workerId: string | undefined
  let stopping = false

  const baseURL = resolveVeniceBaseUrl(env)
  const readRateLimits = async (): Promise<RateLimits> => {
    const adminKey = storedAdminKey(await stores.openKeyStore(), { wallet: wallet.address, apiOrigin: originOf(baseURL) })
    if (!adminKey) throw new Error('no ADMIN key is kept for this wallet')
    return createVeniceClient({ baseURL, apiKey: adminKey }).getRateLimits()
  }

  const handle = async (job: PgBoss.Job<unknown>): Promise<TopUpResult & { rateLimits?: RateLimits }> => {
    const data = topUpJobSchema.parse(job.data)
    if (data.wallet.toLowerCase() !== wallet.address.toLowerCase())
      return { ok: false, refusal: `This treasury signs for ${wallet.address}, not ${data.wallet}.` }
    try {
      // The job id is the idempotency key: a retry after this treasury died resumes the same journal run.
      const r = await requestTopUp(
        { wallet, policy },
        { eth: BigInt(data.ethWei), reason: `${data.reason} (from ${data.requestedBy})`, idempotencyKey: `topup:job:${job.id}` },
      )
      // The account after the top-up, read with the ADMIN key here: the agent workers' balance refresh reads it
      // from this answer (their INFERENCE keys may not call `/api_keys/rate_limits`).
      const rateLimits = r.ok
        ? await readRateLimits().catch(
            (err: unknown) =>
              void log()?.warn('balances after the top-up were not read', { error: redactText(err instanceof Error ? err.message : String(err)) }),
          )
        : undefined
      counts.answered++
      if (r.ok) counts.toppedUp++
      else counts.refused++
      o.onTopUp?.(r.ok ? `top-up for ${data.agent ?? data.requestedBy}: ${r.summary}` : `top-up for ${data.agent ?? data.requestedBy} refused: ${r.refusal}`)
      log()?.info('top-up answered', { job: job.id, ok: r.ok, agent: data.agent })
      return r.ok && rateLimits ? { ...r, rateLimits } : r
    } catch (err) {
      counts.failed++
      log()?.warn('top-up failed', { job: job.id, error: redactText(err instanceof Error ? err.message.split('\n')[0]! : String(err)) })
      throw err
    }
  }
  const log = () => o.log?.child({ worker: workerId })

  let working = false
  const work = async () => {
    if (working) return
    working = true
    await jobs.boss.work(queue, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => (job ? handle(job) : undefined))
  }
  const pause = async () => {
    if (!working) return
    working = false
    await jobs.boss.offWork(queue).catch(() => {})
  }

  const lock = treasuryLock(db, wallet.address, {
    onWait: o.onWait,
    // The lock went with its connection (Postgres restarted): stop signing until it is ours again.
    onLost: () => {
      if (stopping) return
      log()?.warn('treasury lock lost; pausing until it is held again', {})
      void pause()
        .then(() => lock.acquire(o.signal))
        .then(
          () => resume(),
          () => {},
        )
    },
  })
  const resume = async () => {
    // What a previous treasury paid for and did not finish is completed before anything new.
    const finished = await finishInterruptedTopUp({ wallet })
    if (finished) o.onTopUp?.(`finished an interrupted top-up: ${describeTopUp(finished)}`)
    await work()
  }

  await lock.acquire(o.signal)
  const me = await registerWorker(db, { role: 'treasury', concurrency: 1, info: { wallet: wallet.address } })
  workerId = me.id
  await resume()

  return {
    id: me.id,
    address: wallet.address,
    counts: () => ({ ...counts }),
    /** Finishes the top-up in hand (up to `timeoutMs`), releases the lock and deregisters. */
    async stop(timeoutMs = 60_000): Promise<void> {
      stopping = true
      await jobs.stop({ graceful: true, timeoutMs })
      await lock.release()
      await me.stop()
    },
  }
}
