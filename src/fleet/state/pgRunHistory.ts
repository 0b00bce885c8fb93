/**
 * The run history in Postgres: one row per finished run, keyed by its run id (the queued run's job id), so a
 * retried job records its run once (`ON CONFLICT DO NOTHING`; the first record wins).
 */
import type { RunHistory, RunRecord } from '../../host/runHistory.js'
import { runRecordOf } from '../../host/runHistory.js'
import type { Database } from '../db/openDatabase.js'
import type { StepWriter } from './stepWriter.js'

/**
 * @example
 * ```ts
 * const history = pgRunHistory(db)
 * await history.append('treasurer', result, { runId: job.id })
 * (await history.read()).length
 * ```
 */
export function pgRunHistory(
  db: Database,
  options: { now?: (() => number) | undefined; limit?: number | undefined; writer?: StepWriter | undefined } = {},
): RunHistory {
  const now = options.now ?? Date.now
  return {
    async append(agent, result, o) {
      const record = runRecordOf(agent, result, now(), o?.runId)
      // With a writer: in one round trip with the run's last settle and ledger line when they are queued together.
      if (options.writer) return options.writer.runHistory({ run_id: record.runId ?? null, ts: record.ts, agent, record })
      await db.query('INSERT INTO gondola.run_history (run_id, ts, agent, record) VALUES ($1, $2, $3, $4) ON CONFLICT (run_id) DO NOTHING', [
        record.runId ?? null,
        record.ts,
        agent,
        JSON.stringify(record),
      ])
    },
    async read() {
      // The most recent `limit` runs, returned oldest first like the JSONL file.
      const rows = await db.query<{ record: RunRecord }>(
        'SELECT record FROM (SELECT id, record FROM gondola.run_history ORDER BY id DESC LIMIT $1) r ORDER BY id',
        [options.limit ?? 10_000],
      )
      return rows.map((r) => r.record)
    },
  }
}
