import type { LedgerEntry } from '../../src/agent/ledger.js'

/**
 * One spend-ledger line of a model call at `at` (ms), costing `costDiem` (and `costUsd`, paid in USD or x402
 * credits), with nothing else known: what usage and budget tests write into a ledger.
 *
 * @example
 * ```ts
 * await writeFile(ledgerPath, `${JSON.stringify(spendLine('bot', Date.now(), 0.5))}\n`)
 * ```
 */
export const spendLine = (agent: string, at: number, costDiem: number, costUsd = 0): LedgerEntry => ({
  ts: new Date(at).toISOString(),
  agent,
  key: undefined,
  model: 'm',
  promptTokens: 1,
  completionTokens: 1,
  costDiem,
  costUsd,
  balanceDiemBefore: undefined,
  balanceDiemAfter: undefined,
  balanceUsdBefore: undefined,
  balanceUsdAfter: undefined,
  requestId: undefined,
  completionId: undefined,
})
