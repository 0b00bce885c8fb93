import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPgLedger } from '../src/fleet/state/pgLedger.js'
import { type StateStores } from '../src/fleet/state/createStateStores.js'
import { type Database } from '../src/fleet/db/openDatabase.js'
import { type FleetJobs } from '../src/fleet/jobs/openFleetJobs.js'
import { RUN_QUEUE, scheduleQueueOf } from '../src/fleet/jobs/queues.js'
import { createVeniceClient, listAllBillingUsage } from '../src/venice/createVeniceClient.js'
import { eventually, killAll, startGondola, transcript } from './helpers/fleetProcess.js'
import { allRunsCompleted, devnetRpc, provisionFleet, runStates, workerIdOf, writeRunwayAgents } from './helpers/fleetWorld.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

let pg: TestPostgres
let db: Database
let jobs: FleetJobs
let env: NodeJS.ProcessEnv
let address: Address
let stores: StateStores

const rpc = (method: string, params: unknown[] = []) => devnetRpc(devnet(), method, params)
const nonce = () => devnet().publicClient.getTransactionCount({ address })
const allCompleted = (ids: string[]) => allRunsCompleted(db, ids)

beforeAll(async () => {
  pg = await startPostgres()
  const url = await pg.createDatabase()
  const agentsDir = await writeRunwayAgents([
    { name: 'fleet-bot', description: 'Reads its runway and balances (fleet fault test).', tools: ['get_runway', 'get_wallet_balances'] },
  ])
  // Provisioned into the fleet's stores (Postgres key store and journal), as the treasury machine would.
  ;({ env, address, db, stores, jobs } = await provisionFleet({
    devnet: devnet(),
    veniceBaseUrl: emulator().baseURL,
    directUrl: url,
    agents: ['fleet-bot'],
    // A run whose worker vanished is retried after 20 s; one top-up per hour per wallet; runway always "low" so
    // the first runs ask the treasury for a top-up.
    env: { GONDOLA_AGENTS_DIR: agentsDir, GONDOLA_FLEET_SECRET: 'fleet-secret-for-the-fault-test' },
    runTimeoutSeconds: 20,
    runRetries: 3,
  }))
}, 240_000)

afterAll(async () => {
  killAll()
  await rpc('evm_setAutomine', [true]).catch(() => {})
  await jobs?.stop({ graceful: false, timeoutMs: 1000 }).catch(() => {})
  await db?.close().catch(() => {})
  await pg?.stop()
})

describe('fleet mode with real worker processes on real Postgres (devnet + emulator)', () => {
  it('two treasuries: one waits; SIGKILL the treasury mid-top-up: the other resumes it from the journal; SIGKILL a worker mid-run: the run is retried on another worker; Postgres restarted under load: workers reconnect; nothing doubled or lost', async () => {
    try {
      await scenario()
    } catch (err) {
      console.error(transcript())
      throw err
    }
  }, 600_000)
})

async function scenario() {
  const counts = { submitted: 0, completed: 0, retriedAttempts: 0, topUps: 0, diemMints: 0, ledgerLines: 0, billedChats: 0, apiKeysMinted: 0 }
  const store0 = await stores.openKeyStore()
  const keysBefore = store0.keys().length
  const nonce0 = await nonce()

  // Two treasuries for one wallet: the second waits, and says so on stderr.
  const t1 = startGondola(['worker', '--treasury'], env)
  await workerIdOf(t1)
  const t2 = startGondola(['worker', '--treasury'], env)
  await t2.waitFor(/another treasury holds wallet 0x[0-9a-fA-F]{40}; this one waits/)
  expect(t2.stdout()).not.toMatch(/answering top-ups/)

  // Blocks every second: a top-up (5 transactions) takes seconds, so the treasury can be killed in the middle.
  await rpc('evm_setAutomine', [false])
  await rpc('evm_setIntervalMining', [1])

  const w1 = startGondola(['worker', '--concurrency', '2'], env)
  const w2 = startGondola(['worker', '--concurrency', '2'], env)
  const [w1Id] = await Promise.all([workerIdOf(w1), workerIdOf(w2)])
  emulator().setFaults({ latencyMs: 700 })

  // Runs go through the queue: one from the CLI, the rest through the library.
  const { stdout } = await exec(process.execPath, ['bin/gondola.js', 'run', 'fleet-bot', '--queue', '--json'], { env })
  const first = JSON.parse(stdout.trim()) as { queued: string; job: string }
  expect(first.queued).toBe('fleet-bot')
  const ids = [first.job]
  for (let i = 0; i < 5; i++) ids.push(await jobs.submitRun({ agent: 'fleet-bot' }))

  // The first run asks for a top-up; kill the treasury once 2 of its 5 transactions are mined.
  await eventually(async () => (await nonce()) >= nonce0 + 2, 'two top-up transactions mined', 120_000, 100)
  t1.child.kill('SIGKILL')
  expect((await t1.exited).signal).toBe('SIGKILL')
  // The waiting treasury takes the lock and finishes what the first one paid for.
  await t2.waitFor(/finished an interrupted top-up: swapped 0\.01 ETH/, 120_000)

  // SIGKILL an agent worker while it has a run in hand.
  const killed = await eventually(
    async () =>
      (await db.query<{ job_id: string }>("SELECT job_id::text FROM gondola.fleet_runs WHERE worker_id = $1 AND status = 'active'", [w1Id]))[0]?.job_id,
    'a run active on worker 1',
    120_000,
    100,
  )
  w1.child.kill('SIGKILL')
  const w3 = startGondola(['worker', '--concurrency', '2'], env)
  await workerIdOf(w3)
  await eventually(() => allCompleted(ids), 'the first six runs completed', 180_000, 500)
  const attempts = await db.query<{ attempt: number; worker_id: string; status: string }>(
    'SELECT attempt, worker_id, status FROM gondola.fleet_runs WHERE job_id = $1 ORDER BY attempt',
    [killed],
  )
  expect(attempts.length).toBeGreaterThanOrEqual(2)
  expect(attempts[0]).toMatchObject({ worker_id: w1Id, status: 'lost' })
  expect(attempts.at(-1)!.worker_id).not.toBe(w1Id)
  expect(attempts.at(-1)!.status).toBe('completed')

  // Restart Postgres under load: more runs queued, the server stopped and started; workers reconnect and finish them.
  await rpc('evm_setAutomine', [true])
  const more: string[] = []
  for (let i = 0; i < 6; i++) more.push(await jobs.submitRun({ agent: 'fleet-bot' }))
  await eventually(async () => (await runStates(db, more)).some((r) => r.state === 'active'), 'a run active', 60_000, 100)
  await pg.stopServer()
  await new Promise((r) => setTimeout(r, 2000))
  await pg.startServer()
  await eventually(() => allCompleted(more).catch(() => false), 'the runs queued around the restart completed', 180_000, 500)

  // A schedule: stored as cron in Postgres; a tick (sent here as pg-boss's cron would) becomes a run on a worker.
  const { stdout: sched } = await exec(process.execPath, ['bin/gondola.js', 'run', 'fleet-bot', '--queue', '--every', '3600', '--json'], { env })
  expect(JSON.parse(sched.trim())).toMatchObject({ scheduled: 'fleet-bot', cron: '0 * * * *' })
  await jobs.boss.send(scheduleQueueOf('fleet-bot'), { agent: 'fleet-bot' })
  const ticked = await eventually(
    async () =>
      (
        await db.query<{ id: string }>("SELECT id::text FROM pgboss.job WHERE name = $1 AND data->>'submittedBy' LIKE 'schedule %' AND state = 'completed'", [
          RUN_QUEUE,
        ])
      )[0]?.id,
    'the scheduled run completed',
    90_000,
    500,
  )
  more.push(ticked)

  // Status sees the workers (the killed one stale), the queues and the runs.
  const status = JSON.parse((await exec(process.execPath, ['bin/gondola.js', 'fleet', 'status', '--json'], { env })).stdout)
  expect(status.workers.filter((w: { role: string; state: string }) => w.role === 'agent' && w.state === 'alive').length).toBe(2)
  expect(status.queues.find((q: { queue: string }) => q.queue === RUN_QUEUE)).toMatchObject({ completed: 13, created: 0, active: 0 })
  expect(status.keys.every((k: { redacted: string }) => !k.redacted.includes(store0.reveal(store0.keys('INFERENCE')[0]!.id)))).toBe(true)
  expect(JSON.stringify(status)).not.toContain(store0.reveal(store0.keys('INFERENCE')[0]!.id))

  // Graceful stop on SIGTERM.
  w2.child.kill('SIGTERM')
  expect((await w2.exited).code).toBe(0)
  expect(w2.stdout()).toMatch(/stopped\.\n$/)

  // The counts: one top-up (the window held across both treasuries), each of its 5 transactions once; every
  // model call the emulator billed has its ledger line; no API key minted by any worker.
  const runsRows = await db.query<{ n: string; retried: string }>(
    "SELECT count(DISTINCT job_id)::text AS n, count(*) FILTER (WHERE attempt > 1)::text AS retried FROM gondola.fleet_runs WHERE status = 'completed'",
  )
  counts.submitted = ids.length + more.length
  counts.completed = Number(runsRows[0]!.n)
  counts.retriedAttempts = Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM gondola.fleet_runs WHERE attempt > 1'))[0]!.n)
  expect(await nonce()).toBe(nonce0 + 5)
  // From the wallet journal in Postgres: top-up runs that bought something, and confirmed DIEM mints.
  const topUps = await db.query<{ key: string; status: string; mints: number }>(
    `SELECT key, status, (SELECT count(*)::int FROM jsonb_array_elements(steps) s WHERE s->>'name' = 'mintDiem' AND s->>'status' = 'confirmed') AS mints
       FROM gondola.wallet_runs WHERE intent LIKE 'topUp:%' AND jsonb_array_length(steps) > 0`,
  )
  expect(topUps.map((r) => r.status)).toEqual(['done'])
  counts.topUps = topUps.length
  counts.diemMints = topUps.reduce((n, r) => n + r.mints, 0)
  expect(counts.diemMints).toBe(1)
  const store = await stores.openKeyStore()
  counts.apiKeysMinted = store.keys().length - keysBefore
  const ledger = await readPgLedger(db)
  const billed = await listAllBillingUsage(createVeniceClient({ baseURL: emulator().baseURL, apiKey: store.reveal(store.keys('ADMIN').at(-1)!.id) }))
  counts.ledgerLines = ledger.length
  counts.billedChats = billed.filter((b) => b.inferenceDetails?.promptTokens !== undefined).length
  console.log('fleet fault counts', JSON.stringify(counts))
  console.log(
    'attempts',
    JSON.stringify(await db.query('SELECT attempt, status, count(*)::int AS n, min(error) AS error FROM gondola.fleet_runs GROUP BY 1, 2 ORDER BY 1, 2')),
  )
  // Each run completed exactly once (a retry only where its worker died).
  const twice = await db.query("SELECT job_id FROM gondola.fleet_runs WHERE status = 'completed' GROUP BY job_id HAVING count(*) > 1")
  expect(twice).toEqual([])
  expect(counts.completed).toBe(counts.submitted)
  expect(counts.retriedAttempts).toBeGreaterThanOrEqual(1)
  expect(counts.apiKeysMinted).toBe(0)
  expect(counts.ledgerLines).toBe(counts.billedChats)
  for (const p of [t2, w3]) p.child.kill('SIGTERM')
}
