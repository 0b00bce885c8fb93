import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { VeniceHeaders } from '../venice/headers.js'
import type { LedgerEntry } from './ledger.js'
import { diemCostOf, type ModelPrice, type TokenUsage } from './pricing.js'
import { isoOf } from '../util/isoTime.js'

/**
 * One call's cost, split the way Venice charges: Diem first (up to the balance before the call), then USD; a call
 * paid with x402 credits (SIWX) is all USD.
 */
export type CallCharge = TokenUsage & { costDiem: number; costUsd: number; total: number }

/**
 * Prices a completion from its usage and the model's `/models` price, and splits it Diem-then-USD using
 * the balance header Venice sent with it.
 *
 * @example
 * ```ts
 * const charge = chargeOf(completion, price, parseVeniceHeaders(response.headers))
 * charge.costDiem + charge.costUsd === charge.total // true
 * ```
 */
export function chargeOf(completion: ChatCompletion, price: ModelPrice, headers: VeniceHeaders): CallCharge {
  // One object per call (this runs every step): no intermediate usage/cost objects.
  const promptTokens = completion.usage?.prompt_tokens ?? 0
  const completionTokens = completion.usage?.completion_tokens ?? 0
  const total = diemCostOf(promptTokens, completionTokens, price)
  // A SIWX call (x402 credits left in the answer) is paid in USD credits only: no Diem is spent.
  if (headers.balanceRemainingUsd !== undefined) return { promptTokens, completionTokens, costDiem: 0, costUsd: total, total }
  const costDiem = headers.balanceDiem === undefined ? total : Math.min(total, Math.max(0, headers.balanceDiem))
  return { promptTokens, completionTokens, costDiem, costUsd: total - costDiem, total }
}

/**
 * The ledger line of one model call.
 *
 * @example
 * ```ts
 * await ledger.append(ledgerEntryOf({ agent: 'bot', key: venice.keyHint, model: 'qwen3-4b', charge, headers, completion }))
 * ```
 */
export function ledgerEntryOf(p: {
  agent: string
  key: string | undefined
  model: string
  charge: CallCharge
  headers: VeniceHeaders
  completion: ChatCompletion
}): LedgerEntry {
  const { charge: c, headers: h } = p
  return {
    ts: isoOf(Date.now()),
    agent: p.agent,
    key: p.key,
    // The requested id when the server echoes it (one shared string instead of one per line).
    model: !p.completion.model || p.completion.model === p.model ? p.model : p.completion.model,
    promptTokens: c.promptTokens,
    completionTokens: c.completionTokens,
    costDiem: c.costDiem,
    costUsd: c.costUsd,
    balanceDiemBefore: h.balanceDiem,
    balanceDiemAfter: h.balanceDiem === undefined ? undefined : h.balanceDiem - c.costDiem,
    balanceUsdBefore: h.balanceUsd,
    balanceUsdAfter: h.balanceUsd === undefined ? undefined : h.balanceUsd - c.costUsd,
    requestId: h.requestId,
    completionId: p.completion.id,
  }
}
