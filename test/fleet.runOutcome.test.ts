import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatabaseError, isDatabaseUnreachable } from '../src/fleet/db/errors.js'
import { migrate } from '../src/fleet/db/migrate.js'
import { openDatabase, type Database } from '../src/fleet/db/openDatabase.js'
import { openFleetJobs, type FleetJobs } from '../src/fleet/jobs/openFleetJobs.js'
import { StaleAttemptError } from '../src/fleet/jobs/floatingStatements.js'
import { RUN_QUEUE } from '../src/fleet/jobs/queues.js'
import { endOrphanRuns, recordRunEnd, recordRunStart, registerWorker } from '../src/fleet/jobs/registry.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

// Exactly-once completion of a run delivered at least once (issue #27, the chaos test's seed 2): pg-boss expires
// an attempt and hands the run to another worker while the first still finishes it. Real Postgres, real pg-boss.
let pg: TestPostgres
let db: Database
let jobs: FleetJobs
beforeAll(async () => {
  pg = await startPostgres()
  db = await openDatabase({ url: await pg.createDatabase('run_outcome') })
  await migrate(db)
  jobs = await openFleetJobs(db, { runTimeoutSeconds: 60, runRetries: 3, retryDelaySeconds: 0, supervise: false })
}, 60_000)
afterAll(async () => {
  await jobs?.stop({ graceful: false, timeoutMs: 1000 })
  await db?.close()
  await pg?.stop()
})

/** Takes the run's job as a worker does; returns its attempt number (pg-boss's retry count + 1). */
async function take(id: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const [job] = await jobs.boss.fetch(RUN_QUEUE, { includeMetadata: true })
    if (job) {
      expect(job.id).toBe(id)
      return job.retryCount + 1
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('the run was not delivered again')
}

const outcomes = (jobId: string) =>
  db.query<{ attempt: number; status: string; error: string | null; steps: number | null }>(
    'SELECT attempt, status, error, steps FROM gondola.fleet_runs WHERE job_id = $1 ORDER BY attempt',
    [jobId],
  )

describe('a run delivered twice is completed once', () => {
  it('the attempt whose lease ended (pg-boss handed the run on) finishing after the next attempt: one completion, the stale one discarded with its reason', async () => {
    const me = await registerWorker(db, { role: 'agent', concurrency: 2 })
    const id = await jobs.submitRun({ agent: 'a' })
    const first = await take(id)
    await recordRunStart(db, { jobId: id, attempt: first, agent: 'a', workerId: me.id })
    // Its lease ends as pg-boss's expiry ends it (failed, retried): another worker takes attempt 2.
    await jobs.boss.fail(RUN_QUEUE, id, new Error('handler execution exceeded 20000ms'))
    const second = await take(id)
    expect([first, second]).toEqual([1, 2])
    await recordRunStart(db, { jobId: id, attempt: second, agent: 'a', workerId: me.id })
    // Both attempts finish the run; the stale one first, then the one holding the lease.
    const stale = await recordRunEnd(db, { jobId: id, attempt: first, status: 'completed', steps: 2, costDiem: 0.01 })
    const live = await recordRunEnd(db, { jobId: id, attempt: second, status: 'completed', steps: 2, costDiem: 0.01 })
    expect(stale).toEqual({ recorded: false, leaseHeld: false, reason: 'its lease ended (pg-boss handed the run to attempt 2)' })
    expect(live).toEqual({ recorded: true, leaseHeld: true })
    const rows = await outcomes(id)
    expect(rows.filter((r) => r.status === 'completed').map((r) => r.attempt)).toEqual([2])
    expect(rows[0]).toMatchObject({ attempt: 1, status: 'discarded', steps: 2 })
    expect(rows[0]!.error).toMatch(/^ended completed after its lease ended .*discarded/)
    // The reaper leaves them as they are.
    await endOrphanRuns(db)
    expect((await outcomes(id)).map((r) => r.status)).toEqual(['discarded', 'completed'])
    await me.stop()
  })

  it('an attempt finishing after another attempt already completed the run is discarded, even while it holds the job', async () => {
    const me = await registerWorker(db, { role: 'agent', concurrency: 2 })
    const id = await jobs.submitRun({ agent: 'a' })
    const first = await take(id)
    await recordRunStart(db, { jobId: id, attempt: first, agent: 'a', workerId: me.id })
    expect(await recordRunEnd(db, { jobId: id, attempt: first, status: 'completed', steps: 1 })).toEqual({ recorded: true, leaseHeld: true })
    // pg-boss then fails the job anyway (its expiry ran before the completion was sent) and delivers it again.
    await jobs.boss.fail(RUN_QUEUE, id, new Error('job failed by timeout in active state'))
    const second = await take(id)
    await recordRunStart(db, { jobId: id, attempt: second, agent: 'a', workerId: me.id })
    const again = await recordRunEnd(db, { jobId: id, attempt: second, status: 'completed', steps: 1 })
    // Not the run's outcome; the job is still this attempt's, so its answer completes the job.
    expect(again).toEqual({ recorded: false, leaseHeld: true, reason: 'attempt 1 already ended the run' })
    expect((await outcomes(id)).map((r) => r.status)).toEqual(['completed', 'discarded'])
    await me.stop()
  })

  it('two attempts completing at the same moment: exactly one completion', async () => {
    const me = await registerWorker(db, { role: 'agent', concurrency: 2 })
    const id = await jobs.submitRun({ agent: 'a' })
    await recordRunStart(db, { jobId: id, attempt: await take(id), agent: 'a', workerId: me.id })
    await jobs.boss.fail(RUN_QUEUE, id, new Error('expired'))
    await recordRunStart(db, { jobId: id, attempt: await take(id), agent: 'a', workerId: me.id })
    const ends = await Promise.all([1, 2, 1, 2].map((attempt) => recordRunEnd(db, { jobId: id, attempt, status: 'completed', steps: 1 })))
    expect(ends.filter((e) => e.recorded).length).toBeGreaterThanOrEqual(1)
    expect((await outcomes(id)).filter((r) => r.status === 'completed')).toHaveLength(1)
    await me.stop()
  })

  it('a failure is recorded on its own attempt whatever the lease, and says whether the job is still its to fail', async () => {
    const me = await registerWorker(db, { role: 'agent', concurrency: 2 })
    const id = await jobs.submitRun({ agent: 'a' })
    await recordRunStart(db, { jobId: id, attempt: await take(id), agent: 'a', workerId: me.id })
    await jobs.boss.fail(RUN_QUEUE, id, new Error('expired'))
    await recordRunStart(db, { jobId: id, attempt: await take(id), agent: 'a', workerId: me.id })
    expect(await recordRunEnd(db, { jobId: id, attempt: 1, status: 'failed', error: 'model error' })).toEqual({ recorded: true, leaseHeld: false })
    expect(await recordRunEnd(db, { jobId: id, attempt: 2, status: 'failed', error: 'model error' })).toEqual({ recorded: true, leaseHeld: true })
    expect((await outcomes(id)).map((r) => [r.status, r.error])).toEqual([
      ['failed', 'model error'],
      ['failed', 'model error'],
    ])
    await me.stop()
  })
})

describe('the reaper: an attempt pg-boss expired and will retry', () => {
  it('is lost once its worker is silent (SIGKILLed); while its worker still beats it is left to the worker or the retry, which marks it lost', async () => {
    const dead = await registerWorker(db, { role: 'agent', concurrency: 1 })
    const alive = await registerWorker(db, { role: 'agent', concurrency: 1 })
    const ofDead = await jobs.submitRun({ agent: 'a' })
    await recordRunStart(db, { jobId: ofDead, attempt: await take(ofDead), agent: 'a', workerId: dead.id })
    const ofAlive = await jobs.submitRun({ agent: 'a' })
    await recordRunStart(db, { jobId: ofAlive, attempt: await take(ofAlive), agent: 'a', workerId: alive.id })
    // pg-boss's expiry puts both jobs in retry; the first worker was SIGKILLed, and a moment later it still looks alive.
    await jobs.boss.fail(RUN_QUEUE, ofDead, new Error('job failed by timeout in active state'))
    await jobs.boss.fail(RUN_QUEUE, ofAlive, new Error('job failed by timeout in active state'))
    await endOrphanRuns(db)
    expect((await outcomes(ofDead))[0]).toMatchObject({ attempt: 1, status: 'active' })
    // Then its heartbeat goes stale: lost with its worker, not failed.
    await db.query("UPDATE gondola.fleet_workers SET heartbeat_at = now() - interval '1 hour' WHERE id = $1", [dead.id])
    await endOrphanRuns(db)
    const [lost] = await outcomes(ofDead)
    expect(lost).toMatchObject({ attempt: 1, status: 'lost' })
    expect(lost!.error).toMatch(new RegExp(`its worker ${dead.id} ended without recording it`))
    // The live worker's attempt: untouched until the retry starts, which marks it lost.
    expect((await outcomes(ofAlive))[0]).toMatchObject({ attempt: 1, status: 'active' })
    await jobs.boss.deleteJob(RUN_QUEUE, ofDead)
    const second = await take(ofAlive)
    await recordRunStart(db, { jobId: ofAlive, attempt: second, agent: 'a', workerId: alive.id })
    expect((await outcomes(ofAlive)).map((r) => r.status)).toEqual(['lost', 'active'])
    // Out of the queue, so the next test takes only its own job.
    await jobs.boss.deleteJob(RUN_QUEUE, ofAlive)
    await dead.stop()
    await alive.stop()
  })
})

describe("a stale attempt's answer does not touch the job", () => {
  it('pg-boss failing the job with a StaleAttemptError (what the handler of an attempt past its lease throws) leaves the next attempt its job', async () => {
    const id = await jobs.submitRun({ agent: 'a' })
    await take(id)
    await jobs.boss.fail(RUN_QUEUE, id, new Error('expired'))
    expect(await take(id)).toBe(2)
    // Attempt 1's handler ends now: its failure must not fail attempt 2's job (pg-boss 10 fails by id alone).
    await jobs.boss.fail(RUN_QUEUE, id, new StaleAttemptError('Attempt 1 ended after its lease.'))
    await jobs.boss.complete(RUN_QUEUE, id, { staleAttempt: true })
    expect(await jobs.boss.getJobById(RUN_QUEUE, id)).toMatchObject({ state: 'active', retryCount: 1 })
    await jobs.boss.complete(RUN_QUEUE, id, { status: 'completed' })
    expect(await jobs.boss.getJobById(RUN_QUEUE, id)).toMatchObject({ state: 'completed' })
  })
})

describe('isDatabaseUnreachable: the one classifier of "Postgres is not there for now"', () => {
  it('a stopped server, through the pool and as a DatabaseError, is unreachable; a refused statement is not', async () => {
    const other = await openDatabase({ url: await pg.createDatabase('classify') })
    const refused = await other.query('SELECT 1/0').catch((e: unknown) => e)
    expect(isDatabaseUnreachable(refused)).toBe(false)
    expect(isDatabaseUnreachable(await other.query('SELEC 1').catch((e: unknown) => e))).toBe(false)
    await pg.killServer('SIGQUIT')
    try {
      const down = await other.query('SELECT 1').catch((e: unknown) => e)
      expect(down).toBeInstanceOf(DatabaseError)
      expect(isDatabaseUnreachable(down)).toBe(true)
      const raw = await other.pool.query('SELECT 1').catch((e: unknown) => e)
      expect(isDatabaseUnreachable(raw)).toBe(true)
    } finally {
      await pg.startServer()
      await other.close().catch(() => {})
    }
    expect(isDatabaseUnreachable(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true)
    expect(isDatabaseUnreachable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false)
  })
})
