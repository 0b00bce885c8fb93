import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ColumnarRing, type ColumnSpec } from '../util/columnarRing.js'

/** One model call, as written to the spend ledger (one JSON line each). */
export type LedgerEntry = {
  ts: string
  agent: string
  /** Redacted key hint or key id; never the key. */
  key: string | undefined
  model: string
  promptTokens: number
  completionTokens: number
  costDiem: number
  costUsd: number
  balanceDiemBefore: number | undefined
  balanceDiemAfter: number | undefined
  balanceUsdBefore: number | undefined
  balanceUsdAfter: number | undefined
  requestId: string | undefined
  /** The chat completion id (the billing ledger's `requestId`). */
  completionId: string | undefined
}

/** Totals over ledger entries. */
export type LedgerSummary = {
  calls: number
  promptTokens: number
  completionTokens: number
  costDiem: number
  costUsd: number
  byAgent: Record<string, { calls: number; costDiem: number; costUsd: number }>
  byModel: Record<string, { calls: number; costDiem: number; costUsd: number }>
}

/**
 * The spend ledger: appends one JSONL line per model call to `path` (if given), keeps entries in memory,
 * and sums them. Writes are serialised so lines never interleave.
 *
 * @example
 * ```ts
 * const ledger = createLedger({ path: '.gondola/ledger.jsonl' })
 * await ledger.append(entry)
 * ledger.summary().costDiem
 * ```
 */
export function createLedger(options: { path?: string | undefined; keepInMemory?: number; sink?: LedgerSink | undefined } = {}) {
  const keep = options.keepInMemory ?? 100_000
  // In columns, not one object per line: at 10,000 agents the kept lines were most of the heap an agent
  // left behind, and trimming an array of 100,000 with `shift()` cost O(n) per model call (issue #18).
  const entries = keep >= 1 ? new ColumnarRing<LedgerEntry>(keep, LEDGER_COLUMNS) : undefined
  // Settles once every line queued so far is written or has failed: never rejects, so one failed write (a full
  // disk, the fleet's database down past its retries) does not skip every line after it.
  // Failures since the last flush: `flush` reports the first, so a lost line is said, not swallowed.
  let failures: unknown[] = []
  let queue: Promise<unknown> = options.path
    ? mkdir(dirname(options.path), { recursive: true, mode: 0o700 }).catch((err: unknown) => void failures.push(err))
    : Promise.resolve()
  return {
    /** Queues one line; the promise settles when that line is written, and rejects only if that line failed. */
    append(entry: LedgerEntry): Promise<void> {
      entries?.push(entry)
      const write = async () => {
        if (options.path) await appendFile(options.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
        if (options.sink) await options.sink(entry)
      }
      const line = queue.then(write, write)
      queue = line.catch((err: unknown) => void failures.push(err))
      return line
    },
    /** Resolves when every queued line is on disk; rejects with the first failure since the last flush, if any. */
    flush: async (): Promise<void> => {
      await queue
      const [first] = failures
      failures = []
      if (first !== undefined) throw first
    },
    /** The lines kept in memory (the newest `keepInMemory`), oldest first, as a new array. */
    entries: (): LedgerEntry[] => entries?.toArray() ?? [],
    summary: (since?: number): LedgerSummary => summarize(entries ?? [], since),
  }
}

/** The in-memory ledger's columns, in `LedgerEntry`'s key order (a line read back equals the line appended). */
const LEDGER_COLUMNS: ColumnSpec<LedgerEntry> = {
  ts: 'isoTime',
  agent: 'uniqueString',
  key: 'sharedString',
  model: 'sharedString',
  promptTokens: 'count',
  completionTokens: 'count',
  costDiem: 'number',
  costUsd: 'number',
  balanceDiemBefore: 'optionalNumber',
  balanceDiemAfter: 'optionalNumber',
  balanceUsdBefore: 'optionalNumber',
  balanceUsdAfter: 'optionalNumber',
  requestId: 'uniqueString',
  completionId: 'uniqueString',
}

/**
 * Where ledger lines go besides memory and the JSONL file: fleet mode writes them to Postgres
 * (`pgLedgerSink`), idempotently, so a retried run never counts a model call twice.
 */
export type LedgerSink = (entry: LedgerEntry) => Promise<void>

/** A ledger as returned by `createLedger`. */
export type Ledger = ReturnType<typeof createLedger>

/**
 * Where a state dir keeps its spend ledger, one line per model call on either rail: every command and surface that
 * writes or reads it (run, status, x402, ledger, autopilot, MCP, the dashboard, the fleet) takes the path here.
 *
 * @example
 * ```ts
 * ledgerPathIn('.gondola') // '.gondola/ledger.jsonl'
 * ```
 */
export const ledgerPathIn = (stateDir: string): string => join(stateDir, 'ledger.jsonl')

/**
 * Sums ledger entries (those at or after `since`, in ms, when given) by agent and model.
 *
 * @example
 * ```ts
 * summarize(await readLedger('.gondola/ledger.jsonl')).calls
 * ```
 */
export function summarize(entries: Iterable<LedgerEntry>, since?: number): LedgerSummary {
  const s: LedgerSummary = { calls: 0, promptTokens: 0, completionTokens: 0, costDiem: 0, costUsd: 0, byAgent: {}, byModel: {} }
  for (const e of entries) {
    if (since !== undefined && !(Date.parse(e.ts) >= since)) continue
    s.calls++
    s.promptTokens += e.promptTokens
    s.completionTokens += e.completionTokens
    s.costDiem += e.costDiem
    s.costUsd += e.costUsd
    for (const [map, k] of [
      [s.byAgent, e.agent],
      [s.byModel, e.model],
    ] as const) {
      const row = (map[k] ??= { calls: 0, costDiem: 0, costUsd: 0 })
      row.calls++
      row.costDiem += e.costDiem
      row.costUsd += e.costUsd
    }
  }
  return s
}

/** Reads a JSONL ledger file (missing file → no entries). */
export async function readLedger(path: string): Promise<LedgerEntry[]> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)))
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerEntry)
}
