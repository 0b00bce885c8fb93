import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LedgerEntry } from '../src/agent/ledger.js'
import { readEnv } from '../src/config/env.js'
import { openDatabase, type Database } from '../src/fleet/db/openDatabase.js'
import { openFleetJobs, type FleetJobs } from '../src/fleet/jobs/openFleetJobs.js'
import { RUN_QUEUE } from '../src/fleet/jobs/queues.js'
import { recordRunEnd, recordRunStart } from '../src/fleet/jobs/registry.js'
import { createStateStores, type StateStores } from '../src/fleet/state/createStateStores.js'
import { createPgRateLimiter, readRateBucket } from '../src/fleet/state/pgRateLimiter.js'
import { createStepWriter } from '../src/fleet/state/stepWriter.js'
import type { VeniceHeaders } from '../src/venice/headers.js'
import { spendLine } from './helpers/spendLine.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

// Issue #27: database round trips per agent step ≤ 3, counted (not timed) from `db.roundTrips()` and pg-boss's
// statements, as an agent worker makes them: the run's fetch, its start record, per model call the grant and the
// answer's writes (settle + ledger line), the run's end record and the job's completion. Real Postgres, real pg-boss.
let pg: TestPostgres
let db: Database
let stores: StateStores
let jobs: FleetJobs
beforeAll(async () => {
  pg = await startPostgres()
  db = await openDatabase({ url: await pg.createDatabase('step_trips') })
  stores = await createStateStores(readEnv({ GONDOLA_STATE_DIR: '/nonexistent', GONDOLA_FLEET_SECRET: 'step-trips-secret-0123' }), {
    role: 'agent',
    database: db,
  })
  jobs = await openFleetJobs(db, { runTimeoutSeconds: 60, runRetries: 0, supervise: false })
}, 60_000)
afterAll(async () => {
  await jobs?.stop({ graceful: false, timeoutMs: 1000 })
  await db?.close()
  await pg?.stop()
})

let calls = 0
/** A model call's ledger line with a fresh completion id (the ledger's key). */
const entry = (): LedgerEntry => ({ ...spendLine('bot', Date.now(), 0.001, 0.001), completionId: `chatcmpl-trips-${++calls}` })
const answer = (remaining: number) => ({ resetRequestsAtMs: Date.now() + 60_000, remainingRequests: remaining }) as VeniceHeaders
const trips = () => db.roundTrips() + jobs.roundTrips()

describe('database round trips per agent step', () => {
  it('a worker’s runs cost at most 3 round trips per step once work flows (fetch, records, grants, writes, completion)', async () => {
    const limiter = stores.createLimiter!({
      keyName: 'bot',
      apiKey: 'an-inference-key-for-the-step-trips-test',
      model: 'qwen3-4b',
      options: { initialLimit: 20 },
    } as Parameters<NonNullable<StateStores['createLimiter']>>[0])
    const ledger = stores.ledger()
    const STEPS = 2
    /** One queued run as the agent worker takes it; returns the round trips it cost. */
    const run = async () => {
      const id = (await jobs.submitRun({ agent: 'bot' }))!
      const before = trips()
      const [job] = await jobs.boss.fetch(RUN_QUEUE, { includeMetadata: true })
      expect(job?.id).toBe(id)
      await recordRunStart(db, { jobId: id, attempt: 1, agent: 'bot', workerId: 'w-trips' })
      for (let step = 0; step < STEPS; step++) {
        // As callModel does: a grant, the answer settles it, the ledger line follows in the same turn.
        const ticket = await limiter.acquire()
        ticket.done(answer(18 - calls), 200)
        await ledger.append(entry())
      }
      const output = { status: 'completed', steps: STEPS }
      const end = await recordRunEnd(db, { jobId: id, attempt: 1, status: 'completed', steps: STEPS }, { complete: output })
      expect(end).toEqual({ recorded: true, leaseHeld: true, jobCompleted: true })
      jobs.completedInRecord(id)
      // pg-boss's own completion, as its worker loop sends it when the handler returns: already done, not sent.
      await jobs.boss.complete(RUN_QUEUE, id, output)
      const spent = trips() - before
      const [row] = await db.query<{ state: string; output: unknown }>('SELECT state::text AS state, output FROM pgboss.job WHERE id = $1', [id])
      expect(row).toEqual({ state: 'completed', output })
      return spent
    }
    const first = await run()
    const second = await run()
    const third = await run()
    console.log(`round trips per run of ${STEPS} steps: ${first}, ${second}, ${third} (${(third / STEPS).toFixed(1)} per step once work flows)`)
    // The first run's first call asks the rate budget itself; every later call takes the grant its predecessor's
    // writes prefetched: fetch + start + one statement per step + end (with the completion) = 5 for 2 steps.
    expect(first).toBe(6)
    expect(second).toBe(5)
    expect(third / STEPS).toBeLessThanOrEqual(3)
    expect((await readRateBucket(db, (await db.query<{ bucket: string }>('SELECT bucket FROM gondola.rate_buckets'))[0]!.bucket))?.granted).toBe(3 * STEPS + 1)
  })

  it('a prefetched grant no call takes goes back to the window; none is taken from the last quarter of it', async () => {
    const writer = createStepWriter(db)
    const bucket = 'key:spare-test:qwen3-4b'
    const limiter = createPgRateLimiter({ db, bucket, initialLimit: 4, writer, spareMs: 50 })
    // Limit 4: a spare only while, after it, one slot (a quarter) stays free.
    const t1 = await limiter.acquire()
    t1.done(answer(3), 200)
    await new Promise((r) => setTimeout(r, 20))
    expect(await readRateBucket(db, bucket)).toMatchObject({ granted: 2, inFlight: 1 })
    // Unused for spareMs: given back (settled as not sent), nothing left in flight.
    await new Promise((r) => setTimeout(r, 200))
    expect(await readRateBucket(db, bucket)).toMatchObject({ granted: 2, inFlight: 0 })
    // Two more in the window (3 used of 4): the next answer's writes take no spare, the next call asks the row.
    const [t2, t3] = [await limiter.acquire(), await limiter.acquire()]
    t2.done(answer(1), 200)
    await new Promise((r) => setTimeout(r, 50))
    expect(await readRateBucket(db, bucket)).toMatchObject({ granted: 4, inFlight: 1 })
    const before = db.roundTrips()
    const t4 = await limiter.acquire()
    expect(db.roundTrips() - before).toBe(1)
    for (const t of [t3, t4]) t.done(answer(0), 200)
    await new Promise((r) => setTimeout(r, 50))
    expect(await readRateBucket(db, bucket)).toMatchObject({ granted: 5, inFlight: 0 })
  })

  it('a contended key (a call was told to wait) takes no grant ahead of need: a spare in a full window would go unused', async () => {
    const writer = createStepWriter(db)
    const bucket = 'key:contended-test:qwen3-4b'
    const limiter = createPgRateLimiter({ db, bucket, initialLimit: 8, writer, spareMs: 60_000 })
    const tickets = [] as Awaited<ReturnType<typeof limiter.acquire>>[]
    for (let i = 0; i < 8; i++) tickets.push(await limiter.acquire())
    // The window is full: the next call is told to wait (it gives up here), which marks the key contended.
    const ctrl = new AbortController()
    setTimeout(() => ctrl.abort(new Error('enough')), 100)
    await expect(limiter.acquire(ctrl.signal)).rejects.toThrow()
    const [row] = await db.query<{ contended: boolean }>('SELECT contended_until > 0 AS contended FROM gondola.rate_buckets WHERE bucket = $1', [bucket])
    expect(row?.contended).toBe(true)
    // Answers now take no spare, even once the window has rolled over and has room again.
    for (const x of tickets) x.done({ resetRequestsAtMs: Date.now() - 1_000, remainingRequests: 0 } as VeniceHeaders, 200)
    await new Promise((r) => setTimeout(r, 50))
    const t = await limiter.acquire()
    t.done(answer(7), 200)
    await new Promise((r) => setTimeout(r, 50))
    expect(await readRateBucket(db, bucket)).toMatchObject({ granted: 9, inFlight: 0 })
  })
})
