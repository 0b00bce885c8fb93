/**
 * The writes an agent step makes once its model call is answered — the rate budget's settle, the ledger line, and
 * at a run's end its history record — sent as ONE statement (`gondola.step_write`, migration 023): every write
 * queued in the same turn of the event loop goes in one round trip (a settle and the ledger line of the same answer
 * are queued a few microtasks apart). The same statement carries the limiter's prefetch of the key's next grant
 * (`gondola.rate_prefetch`), so the next step's call needs no round trip of its own. The statement is atomic, so a
 * failure leaves nothing half-written: settles and prefetches then report the error (their caller warns, as
 * before; a lost grant lapses after one window), and ledger lines and run records are retried alone while
 * Postgres is restarting.
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
/** `gondola.rate_prefetch`'s arguments (migration 023). */
export type PrefetchRow = {
  bucket: string
  now: number
  window_ms: number
  margin: number
  poll: number
  account: string | null
  max_failures: number
  failure_window: number
}
/** A prefetch's answer: `ok` = a grant in window `win` (a lease of one window), else none. */
export type PrefetchAnswer = { ok: boolean; win: number }
/** A `gondola.ledger` row. */
export type LedgerRow = { dedupe: string; ts: string; agent: string; model: string; cost_diem: number; cost_usd: number; entry: unknown }
/** A `gondola.run_history` row. */
export type RunHistoryRow = { run_id: string | null; ts: string; agent: string; record: unknown }

export type StepWriter = {
  settle(row: SettleRow): Promise<void>
  ledger(row: LedgerRow): Promise<void>
  runHistory(row: RunHistoryRow): Promise<void>
  /** A grant for the key's next call, asked with the step's writes; rejects if the statement failed. */
  prefetch(row: PrefetchRow): Promise<PrefetchAnswer>
  /** Statements sent (each a batch). */
  batches(): number
}

type Pending<T, R = void> = { row: T; resolve: (answer: R) => void; reject: (err: unknown) => void }

const LEDGER_INSERT = `INSERT INTO gondola.ledger (dedupe, ts, agent, model, cost_diem, cost_usd, entry)
  SELECT x.dedupe, x.ts, x.agent, x.model, x.cost_diem, x.cost_usd, x.entry
    FROM jsonb_to_recordset($1::jsonb) AS x(dedupe text, ts timestamptz, agent text, model text, cost_diem double precision, cost_usd double precision, entry jsonb)
  ON CONFLICT (dedupe) DO NOTHING`
const HISTORY_INSERT = `INSERT INTO gondola.run_history (run_id, ts, agent, record)
  SELECT h.run_id, h.ts, h.agent, h.record FROM jsonb_to_recordset($2::jsonb) AS h(run_id text, ts timestamptz, agent text, record jsonb)
  ON CONFLICT (run_id) DO NOTHING`
// In order: lines and records, then settles (each releases its grant), then prefetches (migration 023).
const BATCH = 'SELECT gondola.step_write($1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb) AS answers'

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
  let prefetches: Pending<PrefetchRow, PrefetchAnswer>[] = []
  let scheduled = false
  let sent = 0

  const flush = async () => {
    scheduled = false
    const batch = { settles, lines, records, prefetches }
    settles = []
    lines = []
    records = []
    prefetches = []
    const json = (p: Pending<unknown, never>[]) => JSON.stringify(p.map((x) => x.row))
    try {
      sent++
      const [row] = await db.query<{ answers: PrefetchAnswer[] }>(BATCH, [json(batch.lines), json(batch.records), json(batch.settles), json(batch.prefetches)])
      for (const p of [...batch.lines, ...batch.records, ...batch.settles]) p.resolve()
      batch.prefetches.forEach((p, i) => {
        const a = row?.answers[i]
        p.resolve({ ok: a?.ok === true, win: Number(a?.win ?? 0) })
      })
    } catch (err) {
      // Nothing of the batch was written. A settle or prefetch is reported (a grant whose answer is lost lapses after
      // one window); what records spend or an outcome is retried alone while Postgres is unreachable.
      for (const p of [...batch.settles, ...batch.prefetches]) p.reject(err)
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
    <T, R = void>(list: () => Pending<T, R>[]) =>
    (row: T) =>
      new Promise<R>((resolve, reject) => {
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
    prefetch: queue(() => prefetches),
    batches: () => sent,
  }
}
