/**
 * One charged call as the status model reads it: who spent, when, and how much. The spend ledger's lines
 * (`LedgerEntry`) have this shape; the status model takes them as plain values and imports no ledger code.
 */
export type SpendEntry = { agent: string; ts: string; costDiem: number; costUsd: number }
