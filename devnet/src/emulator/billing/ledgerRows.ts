/**
 * The billing ledger's rows, built from the accounting records (`UsageEntry`): one row per currency a
 * request was paid in (Diem first, then USD), as both `/billing/usage` and `/billing/usage-history`
 * report them.
 */
import type { UsageEntry } from '../state/accounts.js'

/** One ledger row in the spec's shape (`GET /billing/usage-history` → `data[]`). */
export type LedgerRow = {
  amount: number
  currency: 'DIEM' | 'USD'
  inferenceDetails: { completionTokens: number | null; inferenceExecutionTime: number | null; promptTokens: number | null; requestId: string } | null
  notes: string
  pricePerUnitUsd: number
  sku: string
  timestamp: string
  units: number
}

/** Where a row sits in the ledger: `[at, seq, part]` (part 0 = Diem, 1 = USD), compared in that order. */
export type LedgerPosition = readonly [at: number, seq: number, part: number]

/** Kinds of usage that are token-metered (the spec's "LLM usage"); others get `inferenceDetails: null`. */
const TOKEN_KINDS = new Set(['chat', 'embedding'])
const CURRENCIES = [
  ['diem', 'DIEM'],
  ['usd', 'USD'],
] as const

/**
 * Rows of one accounting record, each with its ledger position.
 *
 * @example
 * ```ts
 * const rows = [...user.usage].flatMap(rowsOf) // ascending when the records are
 * ```
 */
export function rowsOf(u: UsageEntry): { position: LedgerPosition; row: LedgerRow }[] {
  const details = TOKEN_KINDS.has(u.kind)
    ? { completionTokens: u.completionTokens, inferenceExecutionTime: null, promptTokens: u.promptTokens, requestId: u.requestId }
    : null
  return CURRENCIES.flatMap(([field, currency], part) =>
    u[field] > 0
      ? [
          {
            position: [u.at, u.seq, part] as const,
            row: {
              amount: -u[field],
              currency,
              inferenceDetails: details,
              notes: 'API Inference',
              pricePerUnitUsd: u[field],
              sku: `${u.model}-${u.kind}`,
              timestamp: new Date(u.at).toISOString(),
              units: 1,
            },
          },
        ]
      : [],
  )
}

/** Orders two ledger positions (negative when `a` comes first). */
export function comparePositions(a: LedgerPosition, b: LedgerPosition): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}
