/**
 * The writes an agent step makes once its model call is answered — the rate budget's settle, the ledger line, and
 * at a run's end its history record — sent as ONE statement: every write queued in the same turn of the event
 * loop goes in one round trip (a settle and the ledger line of the same answer are queued a few microtasks
 * apart). The statement is atomic, so a failure leaves nothing half-written: settles then report the error (their
 * caller warns, as before), and ledger lines and run records are retried alone while Postgres is restarting.
 */
import type { Database } from '../db/openDatabase.js'
import { whileDatabaseDown } from '../jobs/registry.js'

/** `gondola.rate_settle`'s arguments (migration 005), in order. */
export type SettleRow = {
  bucket: string
  win: number
  granted_at: number
  now: number
  status: number | null
  reset: number | null
  remaining: number | null
  retry_after: number | null
  window_ms: number
  margin: number
  account: string | null
}
/** A `gondola.ledger` row. */
export type LedgerRow = { dedupe: string; ts: string; agent: string; model: string; cost_diem: number; cost_usd: number; entry: unknown }
/** A `gondola.run_history` row. */
export type RunHistoryRow = { run_id: string | null; ts: string; agent: string; record: unknown }

export type StepWriter = {
  settle(row: SettleRow): Promise<void>
  ledger(row: LedgerRow): Promise<void>
  runHistory(row: RunHistoryRow): Promise<void>
  /** Statements sent (each a batch). */
  batches(): number
}

type Pending<T> = { row: T; resolve: () => void; reject: (err: unknown) => void }

const LEDGER_INSERT = `INSERT INTO gondola.ledger (dedupe, ts, agent, model, cost_diem, cost_usd, entry)
  SELECT x.dedupe, x.ts, x.agent, x.model, x.cost_diem, x.cost_usd, x.entry
    FROM jsonb_to_recordset($1::jsonb) AS x(dedupe text, ts timestamptz, agent text, model text, cost_diem double precision, cost_usd double precision, entry jsonb)
  ON CONFLICT (dedupe) DO NOTHING`
const HISTORY_INSERT = `INSERT INTO gondola.run_history (run_id, ts, agent, record)
  SELECT h.run_id, h.ts, h.agent, h.record FROM jsonb_to_recordset($2::jsonb) AS h(run_id text, ts timestamptz, agent text, record jsonb)
  ON CONFLICT (run_id) DO NOTHING`
// Data-modifying CTEs run whether or not the query reads them; the settles run once per row, in queue order.
const BATCH = `WITH l AS (${LEDGER_INSERT} RETURNING 1), h AS (${HISTORY_INSERT} RETURNING 1)
  SELECT gondola.rate_settle(s.bucket, s.win, s.granted_at, s.now, s.status, s.reset, s.remaining, s.retry_after, s.window_ms, s.margin, s.account)
    FROM jsonb_to_recordset($3::jsonb) AS s(bucket text, win bigint, granted_at bigint, now bigint, status integer, reset bigint,
                                            remaining integer, retry_after bigint, window_ms integer, margin integer, account text)`

/**
 * @example
 * ```ts
 * const writer = createStepWriter(db)
 * await Promise.all([writer.settle(settleRow), writer.ledger(ledgerRow)]) // one round trip
 * ```
 */
export function createStepWriter(db: Database): StepWriter {
  let settles: Pending<SettleRow>[] = []
  let lines: Pending<LedgerRow>[] = []
  let records: Pending<RunHistoryRow>[] = []
  let scheduled = false
  let sent = 0

  const flush = async () => {
    scheduled = false
    const batch = { settles, lines, records }
    settles = []
    lines = []
    records = []
    const json = (p: Pending<unknown>[]) => JSON.stringify(p.map((x) => x.row))
    try {
      sent++
      await db.query(BATCH, [json(batch.lines), json(batch.records), json(batch.settles)])
      for (const p of [...batch.lines, ...batch.records, ...batch.settles]) p.resolve()
    } catch (err) {
      // Nothing of the batch was written. A settle is reported (its grant lapses after one window); what records
      // spend or an outcome is retried alone while Postgres is unreachable.
      for (const p of batch.settles) p.reject(err)
      if (!batch.lines.length && !batch.records.length) return
      await whileDatabaseDown(() => db.query(`WITH l AS (${LEDGER_INSERT} RETURNING 1) ${HISTORY_INSERT}`, [json(batch.lines), json(batch.records)])).then(
        () => {
          for (const p of [...batch.lines, ...batch.records]) p.resolve()
        },
        (e: unknown) => {
          for (const p of [...batch.lines, ...batch.records]) p.reject(e)
        },
      )
    }
  }
  const queue =
    <T>(list: () => Pending<T>[]) =>
    (row: T) =>
      new Promise<void>((resolve, reject) => {
        list().push({ row, resolve, reject })
        if (!scheduled) {
          scheduled = true
          // After the microtasks of this turn: the settle and the ledger line of one answer go together.
          setImmediate(() => void flush())
        }
      })
  return {
    settle: queue(() => settles),
    ledger: queue(() => lines),
    runHistory: queue(() => records),
    batches: () => sent,
  }
}
