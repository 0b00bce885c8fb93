import { SIWX_KEY_HINT } from '../venice/siwx.js'

/**
 * One charged call as the status model reads it: who spent, when, and how much. The spend ledger's lines
 * (`LedgerEntry`) have this shape; the status model takes them as plain values and imports no ledger code.
 * `key` is the key hint the line was written with: `siwx` for a call paid from the wallet's x402 credits.
 */
export type SpendEntry = { agent: string; ts: string; costDiem: number; costUsd: number; key?: string | undefined }

/**
 * Whether a ledger line was paid from x402 credits (signed in with SIWX) rather than a key's Diem/USD account.
 *
 * @example
 * ```ts
 * isX402Spend({ agent: 'a', ts: '2026-12-05T00:00:00Z', costDiem: 0, costUsd: 0.001, key: 'siwx' }) // true
 * ```
 */
export function isX402Spend(e: SpendEntry): boolean {
  return e.key === SIWX_KEY_HINT
}
