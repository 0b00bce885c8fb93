import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRunner, summarize } from '../src/agent/index.js'
import { createPgLedger, migrate, openDatabase, pgRunHistory, readPgLedger, type Database } from '../src/fleet/index.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { useEmulator } from './helpers/useEmulator.js'

const ALICE: Address = '0x00000000000000000000000000000000000A11CE'
const emulator = useEmulator({ stakes: { [ALICE]: { svvv: 10n ** 18n } } })
let pg: TestPostgres
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(async () => {
  await pg?.stop()
})

async function freshDb(): Promise<Database> {
  const db = await openDatabase({ url: await pg.createDatabase() })
  await migrate(db)
  return db
}

describe('ledger and run history in Postgres', () => {
  it('two workers running agents write one ledger; a replayed line (a retried job) is not counted twice', async () => {
    const db = await freshDb()
    const { apiKey } = emulator().createKey(ALICE)
    const [ledgerA, ledgerB] = [createPgLedger(db), createPgLedger(db)]
    const runnerA = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'k', apiKey }], ledger: ledgerA })
    const runnerB = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'k', apiKey }], ledger: ledgerB })
    const results = await Promise.all([
      runnerA.run({ agent: 'a', prompt: 'hello', model: 'qwen3-4b' }),
      runnerB.run({ agent: 'b', prompt: 'hello', model: 'qwen3-4b' }),
      runnerB.run({ agent: 'b', prompt: 'again', model: 'qwen3-4b' }),
    ])
    await Promise.all([ledgerA.flush(), ledgerB.flush()])
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed'])
    const lines = await readPgLedger(db)
    expect(lines).toHaveLength(3)
    expect(new Set(lines.map((l) => l.completionId)).size).toBe(3)
    expect(lines.every((l) => l.completionId?.length)).toBe(true)
    expect(summarize(lines).byAgent).toMatchObject({ a: { calls: 1 }, b: { calls: 2 } })
    // The job is retried on another worker and replays what it had recorded: nothing is counted twice.
    const replay = createPgLedger(db)
    for (const l of ledgerA.entries()) await replay.append(l)
    await replay.append(ledgerB.entries()[0]!)
    expect(await readPgLedger(db)).toHaveLength(3)
    expect(summarize(await readPgLedger(db, { agent: 'b' })).costDiem).toBeCloseTo(summarize(ledgerB.entries()).costDiem, 12)
    expect(await readPgLedger(db, { since: Date.now() + 60_000 })).toEqual([])
    runnerA.close()
    runnerB.close()

    // Run history: keyed by run id (the job id), so the retried job's record is written once.
    const history = pgRunHistory(db)
    await history.append('a', results[0]!, { runId: 'job-1' })
    await history.append('a', results[0]!, { runId: 'job-1' })
    await history.append('b', results[1]!, { runId: 'job-2' })
    await history.append('b', results[2]!) // a run without an id (not queued) is always recorded
    const runs = await history.read()
    expect(runs.map((r) => [r.agent, r.runId, r.status])).toEqual([
      ['a', 'job-1', 'completed'],
      ['b', 'job-2', 'completed'],
      ['b', undefined, 'completed'],
    ])
    expect(runs[0]!.steps).toBe(results[0]!.steps)
    await db.close()
  })
})
