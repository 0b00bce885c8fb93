import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LedgerEntry } from '../src/agent/ledger.js'
import { readEnv } from '../src/config/env.js'
import { openDatabase, type Database } from '../src/fleet/db/openDatabase.js'
import { createStateStores, type StateStores } from '../src/fleet/state/createStateStores.js'
import { readPgLedger } from '../src/fleet/state/pgLedger.js'
import { readRateBucket } from '../src/fleet/state/pgRateLimiter.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { spendLine } from './helpers/spendLine.js'

// Issue #27: database round trips per agent step. A step's writes after its answer (the rate budget's settle, the
// ledger line; at a run's end the history record) go in one statement. Real Postgres.
let pg: TestPostgres
let db: Database
let stores: StateStores
beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true })
  db = await openDatabase({ url: await pg.createDatabase('step_writer') })
  stores = await createStateStores(readEnv({ GONDOLA_STATE_DIR: '/nonexistent', GONDOLA_FLEET_SECRET: 'step-writer-secret-0123' }), {
    role: 'agent',
    database: db,
  })
}, 60_000)
afterAll(async () => {
  await db?.close()
  await pg?.stop()
})

const entry = (id: string): LedgerEntry => ({ ...spendLine('bot', Date.now(), 0.001, 0.001), completionId: id })

describe('one round trip for a step’s writes', () => {
  it('a model call’s settle, its ledger line and the run’s record, written as a step makes them, take one statement', async () => {
    const limiter = stores.createLimiter!({
      keyName: 'bot',
      apiKey: 'an-inference-key-for-the-step-writer-test',
      model: 'qwen3-4b',
      options: { initialLimit: 20 },
    } as Parameters<NonNullable<StateStores['createLimiter']>>[0])
    const ledger = stores.ledger()
    const history = stores.runHistory()!
    const ticket = await limiter.acquire()
    const before = db.roundTrips()
    // As callModel and runAgent do it: the answer settles the ticket, then the line is appended, then the run ends.
    ticket.done({ resetRequestsAtMs: Date.now() + 60_000, remainingRequests: 19 } as never, 200)
    const line = ledger.append(entry('chatcmpl-step-1'))
    const record = history.append('bot', { status: 'completed', steps: 1, costDiem: 0.001, costUsd: 0.001 } as never, { runId: 'job-1:1' })
    await Promise.all([line, record, ledger.flush()])
    await new Promise((r) => setImmediate(r))
    expect(db.roundTrips() - before).toBe(1)
    expect((await readPgLedger(db)).map((l) => l.completionId)).toEqual(['chatcmpl-step-1'])
    expect((await history.read()).map((r) => r.runId)).toEqual(['job-1:1'])
    // The settle was applied: the grant answered, the limit learnt; the same statement prefetched the next call's
    // grant (migration 023), the one grant in flight now.
    const buckets = await db.query<{ bucket: string }>('SELECT bucket FROM gondola.rate_buckets')
    expect(await readRateBucket(db, buckets[0]!.bucket)).toMatchObject({ granted: 2, inFlight: 1 })
  })

  it('Postgres down when the step writes: the ledger line is written once it is back; nothing is half-written', async () => {
    const ledger = stores.ledger()
    await pg.killServer('SIGQUIT')
    const line = ledger.append(entry('chatcmpl-step-2'))
    setTimeout(() => void pg.startServer(), 1500)
    await line
    expect((await readPgLedger(db)).map((l) => l.completionId)).toEqual(['chatcmpl-step-1', 'chatcmpl-step-2'])
  })
})
