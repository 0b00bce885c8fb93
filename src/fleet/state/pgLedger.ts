/**
 * The spend ledger in Postgres: every worker's model calls in one table. One INSERT per line, keyed so that the
 * same completion is never counted twice (a retried job, a replayed append): `ON CONFLICT DO NOTHING`.
 */
import { createHash } from 'node:crypto'
import { createLedger, type Ledger, type LedgerEntry, type LedgerSink } from '../../agent/ledger.js'
import { whileDatabaseDown } from '../jobs/registry.js'
import type { Database } from '../db/openDatabase.js'
import type { LedgerRow, StepWriter } from './stepWriter.js'

/**
 * The idempotency key of a line: the completion id, else the request id, else a hash of the whole line.
 *
 * @example
 * ```ts
 * ledgerKeyOf(entry) // 'completion:chatcmpl-…'
 * ```
 */
export function ledgerKeyOf(entry: LedgerEntry): string {
  if (entry.completionId) return `completion:${entry.completionId}`
  if (entry.requestId) return `request:${entry.requestId}`
  return `line:${createHash('sha256').update(JSON.stringify(entry)).digest('hex')}`
}

/**
 * A ledger sink that appends to `gondola.ledger` (one round trip per line).
 *
 * @example
 * ```ts
 * const ledger = createLedger({ sink: pgLedgerSink(db) })
 * ```
 */
export function pgLedgerSink(db: Database, options: { writer?: StepWriter | undefined } = {}): LedgerSink {
  const row = (e: LedgerEntry): LedgerRow => ({
    dedupe: ledgerKeyOf(e),
    ts: e.ts,
    agent: e.agent,
    model: e.model,
    cost_diem: e.costDiem,
    cost_usd: e.costUsd,
    entry: e,
  })
  // With a writer, the line goes in one round trip with its answer's settle (retried alone while Postgres restarts).
  if (options.writer) return (e) => options.writer!.ledger(row(e))
  // A line written while Postgres restarts waits for it (up to a minute) instead of being lost: the call it
  // records was already billed. (fleet-jobs: found by the restart-under-load fault test.)
  return async (e) => {
    const r = row(e)
    await whileDatabaseDown(() =>
      db.query(
        'INSERT INTO gondola.ledger (dedupe, ts, agent, model, cost_diem, cost_usd, entry) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe) DO NOTHING',
        [r.dedupe, r.ts, r.agent, r.model, r.cost_diem, r.cost_usd, JSON.stringify(r.entry)],
      ),
    )
  }
}

/**
 * A ledger (the same `Ledger` the host and runner take) whose lines go to Postgres; `entries()`/`summary()` are
 * this process's, `readPgLedger` reads the whole fleet's.
 *
 * @example
 * ```ts
 * const host = createAgentHost({ ...options, ledger: createPgLedger(db) })
 * ```
 */
export function createPgLedger(db: Database, options: { writer?: StepWriter | undefined } = {}): Ledger {
  return createLedger({ sink: pgLedgerSink(db, options) })
}

/**
 * Every worker's ledger lines since `since` (ms), oldest first: `summarize(await readPgLedger(db))`.
 *
 * @example
 * ```ts
 * summarize(await readPgLedger(db, { since: Date.now() - 86_400_000 })).costDiem
 * ```
 */
export async function readPgLedger(db: Database, options: { since?: number | undefined; agent?: string | undefined } = {}): Promise<LedgerEntry[]> {
  const rows = await db.query<{ entry: LedgerEntry }>('SELECT entry FROM gondola.ledger WHERE ts >= $1 AND ($2::text IS NULL OR agent = $2) ORDER BY ts, id', [
    new Date(options.since ?? 0).toISOString(),
    options.agent ?? null,
  ])
  return rows.map((r) => r.entry)
}
