import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StateStores } from '../src/fleet/state/createStateStores.js'
import { type Database } from '../src/fleet/db/openDatabase.js'
import { type FleetJobs } from '../src/fleet/jobs/openFleetJobs.js'
import { RUN_QUEUE } from '../src/fleet/jobs/queues.js'
import { eventually, killAll, startGondola, transcript, type FleetProcess } from './helpers/fleetProcess.js'
import { pgProxy, type PgProxy } from './helpers/pgProxy.js'
import { allRunsCompleted, provisionFleet, runStates, workerIdOf, writeRunwayAgents } from './helpers/fleetWorld.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

// Real `gondola worker` processes on real Postgres (through a TCP proxy that lets the test stop the server at an
// exact statement), the devnet and the emulator. Issue #27: workers survive every database outage and stop
// cleanly; no INFERENCE key calls an ADMIN route; every run record ends.
const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

let pg: TestPostgres
let proxy: PgProxy
let db: Database
let jobs: FleetJobs
let env: NodeJS.ProcessEnv
let stores: StateStores
let inferenceKeys: Set<string>
/** Every request the emulator's HTTP server received: path and the bearer token it carried. */
const seen: Array<{ method: string; path: string; token: string | undefined }> = []
const ADMIN_ROUTES = /^\/api\/v1\/(api_keys|billing)(\/|\?|$)/

// A run's job is completed by its end record (recordRunEnd with `complete`, output $10), else by pg-boss (output $3).
const COMPLETE_RUN = (c: { text: string }) => c.text.includes("state = 'completed',") && /output = \$(3|10)::jsonb/.test(c.text) && c.text.includes(RUN_QUEUE)
const FAIL_RUN = (c: { text: string }) => c.text.includes("AND id IN (SELECT UNNEST($2::uuid[])) AND state < 'completed'") && c.text.includes(RUN_QUEUE)

const states = (ids: string[]) => runStates(db, ids)
const allCompleted = (ids: string[]) => allRunsCompleted(db, ids)
const alive = (...ps: FleetProcess[]) => ps.every((p) => p.child.exitCode === null && p.child.signalCode === null)
/** Stops Postgres with `signal` as the statement is about to reach it, and starts it again 2 s later. */
const outageAt = (test: (c: { text: string }) => boolean, signal: 'SIGQUIT' | 'SIGKILL') => {
  let restarted: Promise<void> = Promise.resolve()
  const fired = proxy.onceBefore(test, async () => {
    await pg.killServer(signal)
    restarted = new Promise<void>((r) => setTimeout(r, 2000)).then(() => pg.startServer())
  })
  return fired.then(() => restarted)
}

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true })
  proxy = await pgProxy(pg.port)
  const direct = await pg.createDatabase()
  const agentsDir = await writeRunwayAgents([{ name: 'fleet-bot', description: 'Reads its runway (fleet outage test).' }])
  ;({ env, db, stores, jobs } = await provisionFleet({
    devnet: devnet(),
    veniceBaseUrl: emulator().baseURL,
    directUrl: direct,
    workerUrl: proxy.urlOf(direct),
    agents: ['fleet-bot'],
    env: { GONDOLA_AGENTS_DIR: agentsDir, GONDOLA_FLEET_SECRET: 'fleet-secret-for-the-outage-test' },
    runTimeoutSeconds: 20,
    runRetries: 3,
  }))
  const store = await stores.openKeyStore()
  inferenceKeys = new Set(store.keys('INFERENCE').map((k) => store.reveal(k.id)))
  emulator().server.on('request', (req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }) => {
    const auth = req.headers.authorization
    seen.push({ method: req.method ?? '', path: req.url ?? '', token: typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined })
  })
}, 240_000)

afterAll(async () => {
  killAll()
  await jobs?.stop({ graceful: false, timeoutMs: 1000 }).catch(() => {})
  await db?.close().catch(() => {})
  await proxy?.close()
  await pg?.stop()
})

describe('fleet workers under database outages and stops (real gondola worker processes)', () => {
  it('a top-up refreshes balances through the treasury: no INFERENCE key calls an ADMIN route', async () => {
    try {
      const t = startGondola(['worker', '--treasury'], env)
      const w = startGondola(['worker', '--concurrency', '2'], env)
      await Promise.all([workerIdOf(t), workerIdOf(w)])
      const ids = [await jobs.submitRun({ agent: 'fleet-bot' }), await jobs.submitRun({ agent: 'fleet-bot' })]
      await eventually(() => allCompleted(ids), 'two runs completed', 180_000, 500)
      // The top-up is done, and the treasury's answer carries the account read with its ADMIN key.
      const [answer] = await db.query<{ has: boolean }>(
        "SELECT output ? 'rateLimits' AS has FROM pgboss.job WHERE name LIKE 'gondola-topups-%' AND state = 'completed' AND (output->>'ok')::boolean",
      )
      expect(answer?.has).toBe(true)
      const byInference = seen.filter((r) => r.token && inferenceKeys.has(r.token))
      expect(byInference.some((r) => r.path.endsWith('/chat/completions'))).toBe(true)
      expect(byInference.filter((r) => ADMIN_ROUTES.test(r.path)).map((r) => `${r.method} ${r.path}`)).toEqual([])
      t.child.kill('SIGTERM')
      w.child.kill('SIGTERM')
      expect((await t.exited).code).toBe(0)
      expect((await w.exited).code).toBe(0)
    } catch (err) {
      console.error(transcript())
      throw err
    }
  }, 400_000)

  it('Postgres stopped with SIGQUIT as a run is completed, and with SIGKILL as a run is failed: the workers ride it out and every run completes once', async () => {
    try {
      const w1 = startGondola(['worker', '--concurrency', '2'], env)
      const w2 = startGondola(['worker', '--concurrency', '2'], env)
      await Promise.all([workerIdOf(w1), workerIdOf(w2)])

      const atComplete = outageAt(COMPLETE_RUN, 'SIGQUIT')
      const first = [await jobs.submitRun({ agent: 'fleet-bot' }), await jobs.submitRun({ agent: 'fleet-bot' })]
      await atComplete
      await eventually(() => allCompleted(first), 'the runs around the SIGQUIT completed', 180_000, 500)
      expect(alive(w1, w2)).toBe(true)

      // Every model call fails (500) until the first failure is being written: then Postgres is SIGKILLed.
      emulator().setFaults({ rate500: 1 })
      const atFail = outageAt(FAIL_RUN, 'SIGKILL')
      const second = [await jobs.submitRun({ agent: 'fleet-bot' })]
      await atFail
      emulator().setFaults({})
      await eventually(() => allCompleted(second), 'the run failed around the SIGKILL completed on retry', 180_000, 500)
      expect(alive(w1, w2)).toBe(true)
      const twice = await db.query("SELECT job_id FROM gondola.fleet_runs WHERE status = 'completed' GROUP BY job_id HAVING count(*) > 1")
      expect(twice).toEqual([])
      for (const w of [w1, w2]) w.child.kill('SIGTERM')
      for (const w of [w1, w2]) expect((await w.exited).code).toBe(0)
      expect(`${w1.stderr()}${w2.stderr()}`).not.toMatch(/Manager\.(fail|complete)|unhandled|Cannot use a pool/i)
    } catch (err) {
      console.error(transcript())
      throw err
    }
  }, 500_000)

  it('SIGTERM on workers holding runs that do not finish: the runs are failed with the reason, the workers exit 0, another worker completes them', async () => {
    try {
      const w1 = startGondola(['worker', '--concurrency', '2', '--grace-seconds', '2'], env)
      const w1Id = await workerIdOf(w1)
      // The model never answers in time: the runs stay in hand.
      emulator().setFaults({ latencyMs: 600_000 })
      const ids = [await jobs.submitRun({ agent: 'fleet-bot' }), await jobs.submitRun({ agent: 'fleet-bot' })]
      await eventually(
        async () => (await db.query("SELECT 1 FROM gondola.fleet_runs WHERE worker_id = $1 AND status = 'active'", [w1Id])).length === 2,
        'two runs in hand',
        60_000,
        200,
      )
      w1.child.kill('SIGTERM')
      const exit = await w1.exited
      expect(exit.code).toBe(0)
      expect(w1.stderr()).toMatch(/2 run\(s\) did not finish within the graceful window/)
      expect(w1.stdout()).toMatch(/stopped\.\n$/)
      expect(w1.stderr()).not.toMatch(/Cannot use a pool|Manager\.(fail|complete)/)
      const rows = await db.query<{ status: string; error: string }>('SELECT status, error FROM gondola.fleet_runs WHERE worker_id = $1', [w1Id])
      expect(rows).toHaveLength(2)
      for (const r of rows) expect(r).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped before the run finished/) })
      expect((await states(ids)).map((r) => r.state).sort()).toEqual(['retry', 'retry'])

      emulator().setFaults({})
      const w2 = startGondola(['worker', '--concurrency', '2'], env)
      await workerIdOf(w2)
      await eventually(() => allCompleted(ids), 'the stopped runs completed on another worker', 180_000, 500)
      w2.child.kill('SIGTERM')
      expect((await w2.exited).code).toBe(0)
    } catch (err) {
      console.error(transcript())
      throw err
    }
  }, 400_000)

  it('a run whose last attempt expires with its worker gone is failed with its reason; fleet status shows no run active that no live worker holds', async () => {
    try {
      const w1 = startGondola(['worker', '--concurrency', '1'], env)
      const w2 = startGondola(['worker', '--concurrency', '1'], env)
      const [w1Id] = await Promise.all([workerIdOf(w1), workerIdOf(w2)])
      emulator().setFaults({ latencyMs: 600_000 })
      // No retry left, a short expiry; whichever worker takes it is SIGKILLed.
      const id = (await jobs.boss.send(RUN_QUEUE, { agent: 'fleet-bot' }, { retryLimit: 0, expireInSeconds: 8 }))!
      const holder = await eventually(
        async () =>
          (await db.query<{ worker_id: string }>("SELECT worker_id FROM gondola.fleet_runs WHERE job_id = $1 AND status = 'active'", [id]))[0]?.worker_id,
        'the run taken',
        60_000,
        200,
      )
      const [victim, survivor] = holder === w1Id ? [w1, w2] : [w2, w1]
      victim.child.kill('SIGKILL')
      await eventually(async () => (await states([id]))[0]?.state === 'failed', 'pg-boss expired the run', 120_000, 500)
      const row = await eventually(
        async () =>
          (
            await db.query<{ status: string; error: string }>(
              "SELECT status, error FROM gondola.fleet_runs WHERE job_id = $1 AND status <> 'active' AND status <> 'lost'",
              [id],
            )
          )[0],
        'the run record ended',
        60_000,
        500,
      )
      expect(row.status).toBe('failed')
      expect(row.error).toMatch(/timeout|expir|heartbeat/)
      emulator().setFaults({})
      const status = JSON.parse((await exec(process.execPath, ['bin/gondola.js', 'fleet', 'status', '--json'], { env })).stdout) as {
        runs: Array<{ status: string; workerId: string }>
        workers: Array<{ id: string; state: string }>
      }
      const aliveIds = new Set(status.workers.filter((w) => w.state === 'alive').map((w) => w.id))
      for (const r of status.runs.filter((r) => r.status === 'active')) expect(aliveIds.has(r.workerId)).toBe(true)
      survivor.child.kill('SIGTERM')
      expect((await survivor.exited).code).toBe(0)
    } catch (err) {
      console.error(transcript())
      throw err
    }
  }, 300_000)
})
