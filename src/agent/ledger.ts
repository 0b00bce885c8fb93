import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'

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
  const entries: LedgerEntry[] = []
  const keep = options.keepInMemory ?? 100_000
  let queue: Promise<void> = options.path ? mkdir(dirname(options.path), { recursive: true, mode: 0o700 }).then(() => {}) : Promise.resolve()
  return {
    append(entry: LedgerEntry): Promise<void> {
      entries.push(entry)
      if (entries.length > keep) entries.shift()
      if (options.path) {
        const path = options.path
        queue = queue.then(() => appendFile(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 }))
      }
      if (options.sink) {
        const sink = options.sink
        queue = queue.then(() => sink(entry))
      }
      return queue
    },
    /** Resolves when every queued line is on disk. */
    flush: (): Promise<void> => queue,
    entries: (): readonly LedgerEntry[] => entries,
    summary: (since?: number): LedgerSummary => summarize(since === undefined ? entries : entries.filter((e) => Date.parse(e.ts) >= since)),
  }
}

/**
 * Where ledger lines go besides memory and the JSONL file: fleet mode writes them to Postgres
 * (`pgLedgerSink`), idempotently, so a retried run never counts a model call twice.
 */
export type LedgerSink = (entry: LedgerEntry) => Promise<void>

/** A ledger as returned by `createLedger`. */
export type Ledger = ReturnType<typeof createLedger>

/**
 * Sums ledger entries by agent and model.
 *
 * @example
 * ```ts
 * summarize(await readLedger('.gondola/ledger.jsonl')).calls
 * ```
 */
export function summarize(entries: readonly LedgerEntry[]): LedgerSummary {
  const s: LedgerSummary = { calls: 0, promptTokens: 0, completionTokens: 0, costDiem: 0, costUsd: 0, byAgent: {}, byModel: {} }
  for (const e of entries) {
    s.calls++
    s.promptTokens += e.promptTokens
    s.completionTokens += e.completionTokens
    s.costDiem += e.costDiem
    s.costUsd += e.costUsd
    for (const [map, k] of [[s.byAgent, e.agent], [s.byModel, e.model]] as const) {
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
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerEntry)
}
