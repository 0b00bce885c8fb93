/**
 * The CSV export of a `/billing/usage-history` page (`Accept: text/csv`): one header line, one line per
 * row, `inferenceDetails` flattened into columns.
 */
import type { LedgerRow } from './ledgerRows.js'

const COLUMNS = [
  'timestamp',
  'sku',
  'notes',
  'currency',
  'amount',
  'units',
  'pricePerUnitUsd',
  'promptTokens',
  'completionTokens',
  'inferenceExecutionTime',
  'requestId',
] as const

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * @example
 * ```ts
 * usageCsv(rows) // 'timestamp,sku,…\n2026-11-25T12:00:00.000Z,qwen3-4b-chat,…\n'
 * ```
 */
export function usageCsv(rows: readonly LedgerRow[]): string {
  const lines = rows.map((r) => {
    const flat: Record<(typeof COLUMNS)[number], unknown> = {
      ...r,
      ...(r.inferenceDetails ?? { promptTokens: null, completionTokens: null, inferenceExecutionTime: null, requestId: null }),
    }
    return COLUMNS.map((c) => cell(flat[c])).join(',')
  })
  return `${[COLUMNS.join(','), ...lines].join('\n')}\n`
}

/** `attachment; filename=billing-usage-history-20260708T091530123Z.csv` for an export at `now`. */
export function csvDisposition(now: number): string {
  return `attachment; filename=billing-usage-history-${new Date(now).toISOString().replace(/[-:.]/g, '')}.csv`
}
