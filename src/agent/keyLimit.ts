/**
 * What a 402 means. Venice answers 402 both when the account is out of funds and when the *key* is over its
 * own consumption limit; the spec only promises "a 402 with `INSUFFICIENT_BALANCE`", and the key-limit
 * wording ("API key DIEM spend limit exceeded") comes from public reports. So the decision is made from
 * data — the key's limit, period and current-period usage (store / `GET /api_keys`) and the balance headers
 * of the 402 itself — and the message is only a hint. Only an `account` verdict may start an on-chain
 * top-up: topping up the account cannot lift a key's own limit, and an unexplained 402 spends nothing.
 */
import type { ApiKey } from '../venice/schemas.js'

/** What is known about a key's own limit. `limit` undefined = not known; a field null = no limit in that unit. */
export type KeyLimitState = {
  limit: { diem: number | null; usd: number | null } | undefined
  period?: string | null | undefined
  /** Spend in the current limit period (from `GET /api_keys` → `currentPeriodUsage`), if known. */
  used?: { diem: number; usd: number } | undefined
  /** The resolution of `used` (Venice sends decimal strings, e.g. 4 places → 0.0001): room below it is no room. */
  usedResolution?: number | undefined
}

/** The decision and the evidence, in words (for logs and the run's error). */
export type InsufficientVerdict = { cause: 'key_limit' | 'account' | 'unknown'; reason: string }

/** Balances at or below this count as empty (Diem / USD). */
const EMPTY = 1e-9

/**
 * A key's limit state from its `GET /api_keys` record, or from what the key store recorded.
 *
 * @example
 * ```ts
 * keyLimitStateOf({ consumptionLimit: { diem: 1 }, limitPeriod: 'EPOCH' }) // { limit: { diem: 1, usd: null }, period: 'EPOCH' }
 * ```
 */
export function keyLimitStateOf(
  source:
    | ApiKey
    | { consumptionLimit?: { diem?: number | null | undefined; usd?: number | null | undefined } | undefined; limitPeriod?: string | null | undefined },
): KeyLimitState {
  if ('consumptionLimits' in source) {
    const usage = source.currentPeriodUsage
    const used = usage ? { diem: Number(usage.diem), usd: Number(usage.usd) } : undefined
    return {
      limit: { diem: source.consumptionLimits.diem ?? null, usd: source.consumptionLimits.usd ?? null },
      period: source.limitPeriod,
      used: used && Number.isFinite(used.diem) && Number.isFinite(used.usd) ? used : undefined,
      usedResolution: usage ? 10 ** -(usage.diem.split('.')[1]?.length ?? 0) : undefined,
    }
  }
  const l = source.consumptionLimit
  return { limit: l ? { diem: l.diem ?? null, usd: l.usd ?? null } : undefined, period: source.limitPeriod }
}

/**
 * Whether a 402 message *sounds like* a key's own limit. A hint only: wording is not documented.
 *
 * @example
 * ```ts
 * looksLikeKeyLimit('API key DIEM spend limit exceeded') // true
 * ```
 */
export function looksLikeKeyLimit(message: string | undefined): boolean {
  return /\b(api[ _-]?)?key\b.*\b(limit|cap|quota|budget)\b|\b(spend|consumption|spending) (limit|cap)\b/i.test(message ?? '')
}

/**
 * Decides what a 402 means.
 *
 * 1. Usage known: the key has no Diem room left in its period (within the resolution Venice reports usage
 *    at) → `key_limit` (a top-up adds Diem the key may not spend). It has room → not the key's limit.
 * 2. Balance headers of the 402 (balance before the request): the account held money → the limit hit is the
 *    key's if it has one or the message says so (else `unknown`); the account was empty → `account`, unless
 *    the key is limited, its usage unknown and the message names the key.
 * 3. No headers: a key without limits → `account`; the message says key → `key_limit`; else `unknown`.
 *
 * @example
 * ```ts
 * classify402({ balanceDiem: 4.2, balanceUsd: 0, message: 'Payment required', key: { limit: { diem: 1, usd: null } } })
 * // { cause: 'key_limit', reason: 'the account held 4.2 before the request: the limit hit is the key\'s own' }
 * ```
 */
export function classify402(input: {
  balanceDiem: number | undefined
  balanceUsd: number | undefined
  message: string | undefined
  key?: KeyLimitState | undefined
}): InsufficientVerdict {
  const lim = input.key?.limit
  const limited = lim !== undefined && (lim.diem !== null || lim.usd !== null)
  const hint = looksLikeKeyLimit(input.message)
  let keyHasRoom: boolean | undefined
  if (lim && input.key?.used) {
    const diemLeft = lim.diem === null ? Infinity : lim.diem - input.key.used.diem
    if (diemLeft <= Math.max(EMPTY, input.key.usedResolution ?? 0))
      return {
        cause: 'key_limit',
        reason: `the key has spent ${input.key.used.diem} of its ${lim.diem} Diem limit this ${(input.key.period ?? 'period').toLowerCase()}`,
      }
    keyHasRoom = true
  }
  const known = input.balanceDiem !== undefined || input.balanceUsd !== undefined
  const account = (input.balanceDiem ?? 0) + (input.balanceUsd ?? 0)
  if (known) {
    if (account > EMPTY) {
      if ((limited || hint) && !keyHasRoom)
        return { cause: 'key_limit', reason: `the account held ${account} before the request: the limit hit is the key's own` }
      return { cause: 'unknown', reason: `the account held ${account} before the request and the key ${limited ? 'still has room' : 'has no limit'}` }
    }
    if (hint && !keyHasRoom && limited)
      return { cause: 'key_limit', reason: "the account is empty, but the message names the key's limit and its usage is unknown" }
    return { cause: 'account', reason: 'the account balance was 0 before the request' }
  }
  if (lim && !limited) return { cause: 'account', reason: 'the key has no limit of its own' }
  if (keyHasRoom) return { cause: 'account', reason: 'the key still has room in its own limit' }
  if (hint) return { cause: 'key_limit', reason: 'the message names a key limit (no balance headers or usage to check)' }
  return { cause: 'unknown', reason: 'no balance headers and no key usage to tell the account from the key' }
}
