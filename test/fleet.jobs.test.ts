import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../src/fleet/db/migrate.js'
import { openDatabase, type Database } from '../src/fleet/db/openDatabase.js'
import { FleetJobError, openFleetJobs } from '../src/fleet/jobs/openFleetJobs.js'
import { everyToCron, RUN_QUEUE, scheduleQueueOf } from '../src/fleet/jobs/queues.js'
import { listWorkers, registerWorker } from '../src/fleet/jobs/registry.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

const exec = promisify(execFile)

/** `gondola …args` in a subprocess: exit code and output (a failing command does not throw). */
async function gondola(args: string[], env: Record<string, string> = {}) {
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-fleet-cli-'))
  const base = { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_DATABASE_URL: '', ...env }
  return exec(process.execPath, ['bin/gondola.js', ...args], { env: base }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )
}

describe('fleet commands: flags and configuration (subprocess)', () => {
  it('without GONDOLA_DATABASE_URL, --queue, worker and fleet status are configuration errors (exit 3) naming it; misspelt flags are usage errors', async () => {
    const [queued, worker, status, typo, both, cronAlone] = await Promise.all([
      gondola(['run', 'treasurer', '--queue']),
      gondola(['worker']),
      gondola(['fleet', 'status', '--json']),
      gondola(['worker', '--concurency', '2']),
      gondola(['worker', '--treasury', '--concurrency', '2']),
      gondola(['run', 'treasurer', '--cron', '*/5 * * * *']),
    ])
    for (const r of [queued, worker, status]) {
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/needs GONDOLA_DATABASE_URL/)
    }
    expect(JSON.parse(status.stdout)).toMatchObject({ error: { exitCode: 3 } })
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/--concurency/)
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/--concurrency is for agent workers/)
    expect(cronAlone.code).toBe(2)
    expect(cronAlone.stderr).toMatch(/--cron needs --queue/)
  }, 120_000)

  it('an agent set to pay on x402 is not queued onto the Diem keys silently; auto says queued runs pay on the key', async () => {
    const [x402, diem, auto] = await Promise.all([
      gondola(['run', 'treasurer', '--queue'], { GONDOLA_FUNDING_RAIL: 'x402' }),
      gondola(['run', 'treasurer', '--queue', '--pay', 'diem'], { GONDOLA_FUNDING_RAIL: 'x402' }),
      gondola(['run', 'treasurer', '--queue'], { GONDOLA_FUNDING_RAIL: 'auto' }),
    ])
    // Refused before any database is opened (exit 3, configuration), naming the setting and both ways out.
    expect(x402.code).toBe(3)
    expect(x402.stderr).toMatch(/pays on x402 \(funding\.rail \/ GONDOLA_FUNDING_RAIL\)/)
    expect(x402.stderr).toMatch(/--queue --pay diem/)
    expect(x402.stderr).not.toMatch(/GONDOLA_DATABASE_URL/)
    // --pay diem keeps it on the key: it gets as far as the fleet database, which this test has none of.
    expect(diem.code).toBe(3)
    expect(diem.stderr).toMatch(/needs GONDOLA_DATABASE_URL/)
    expect(auto.stderr).toMatch(/queued runs of treasurer pay on its Diem key/)
    expect(auto.stderr).toMatch(/needs GONDOLA_DATABASE_URL/)
  }, 120_000)
})

describe('everyToCron', () => {
  it('maps intervals that cron can express and refuses the others', () => {
    expect(everyToCron(60)).toBe('* * * * *')
    expect(everyToCron(300)).toBe('*/5 * * * *')
    expect(everyToCron(3600)).toBe('0 * * * *')
    expect(everyToCron(7200)).toBe('0 */2 * * *')
    expect(everyToCron(86_400)).toBe('0 0 * * *')
    for (const s of [1, 59, 90, 420, 5400, 18_000, 172_800]) expect(everyToCron(s), String(s)).toBeUndefined()
  })
})

describe('the job engine on real Postgres', () => {
  let pg: TestPostgres
  let url: string
  let db: Database
  beforeAll(async () => {
    pg = await startPostgres()
    url = await pg.createDatabase()
    db = await openDatabase({ url })
    await migrate(db)
  }, 60_000)
  afterAll(async () => {
    await db?.close()
    await pg?.stop()
  })

  it('two engines starting at once share the queues; runs are queued with retries and expiry; schedules are stored as cron; bad intervals are refused', async () => {
    const options = { runTimeoutSeconds: 30, runRetries: 2, supervise: false }
    const db2 = await openDatabase({ url })
    const [a, b] = await Promise.all([openFleetJobs(db, options), openFleetJobs(db2, options)])
    try {
      const id = await a.submitRun({ agent: 'treasurer', maxSteps: 2 })
      const job = await b.boss.getJobById(RUN_QUEUE, id)
      expect(job).toMatchObject({ state: 'created', retryLimit: 2, retryBackoff: true, data: { agent: 'treasurer', maxSteps: 2 } })
      expect((await a.queueCounts()).find((q) => q.queue === RUN_QUEUE)).toMatchObject({ created: 1, active: 0 })
      await expect(a.submitRun({ agent: '' })).rejects.toThrow()

      expect(await a.scheduleRun({ agent: 'social-bot' }, { everySeconds: 900 })).toEqual({ queue: scheduleQueueOf('social-bot'), cron: '*/15 * * * *' })
      await b.scheduleRun({ agent: 'treasurer' }, { cron: '0 9 * * 1-5', timezone: 'Europe/Rome' })
      expect((await a.schedules()).sort((x, y) => x.agent.localeCompare(y.agent))).toEqual([
        { queue: scheduleQueueOf('social-bot'), cron: '*/15 * * * *', agent: 'social-bot' },
        { queue: scheduleQueueOf('treasurer'), cron: '0 9 * * 1-5', agent: 'treasurer' },
      ])
      const refused = await a.scheduleRun({ agent: 'treasurer' }, { everySeconds: 7 }).catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(FleetJobError)
      expect((refused as FleetJobError).exitCode).toBe(2)
      await expect(a.scheduleRun({ agent: 'treasurer' }, { cron: 'every tuesday' })).rejects.toThrow(/was refused/)
    } finally {
      await Promise.all([a.stop({ graceful: false }), b.stop({ graceful: false })])
      await db2.close()
    }
  }, 60_000)

  it('a registered worker is alive, then stopped; one that stops heartbeating turns stale', async () => {
    const me = await registerWorker(db, { role: 'agent', concurrency: 3 })
    expect((await listWorkers(db)).find((w) => w.id === me.id)).toMatchObject({ role: 'agent', state: 'alive', concurrency: 3, pid: process.pid })
    await db.query("UPDATE gondola.fleet_workers SET heartbeat_at = now() - interval '1 minute' WHERE id = $1", [me.id])
    expect((await listWorkers(db)).find((w) => w.id === me.id)?.state).toBe('stale')
    await me.stop()
    expect((await listWorkers(db)).find((w) => w.id === me.id)?.state).toBe('stopped')
  })
})
