/**
 * What a key can still spend: the lesser of what its own consumption limit leaves in the current period and the
 * account's balance (Diem + USD). Either side may be unknown; with both unknown, so is the answer.
 */

/** What is left of a key's own Diem limit this period: `undefined` when the key has no limit or its usage is unknown. */
export type KeyLimitLeftParameters = { limit: number | null | undefined; used: number | undefined }

/**
 * What a key's own limit leaves this period (never below 0).
 *
 * @example
 * ```ts
 * keyLimitLeft({ limit: 0.5, used: 0.0015 }) // 0.4985
 * keyLimitLeft({ limit: null, used: 0.2 })   // undefined: no limit of its own
 * ```
 */
export function keyLimitLeft(p: KeyLimitLeftParameters): number | undefined {
  if (p.limit === null || p.limit === undefined || p.used === undefined) return undefined
  return Math.max(0, p.limit - p.used)
}

/** Inputs of `spendableOf`. */
export type SpendableParameters = {
  /** The account's balance, Diem + USD (1:1); `undefined` when not read. */
  account: number | undefined
  /** What the key's own limit leaves this period (`keyLimitLeft`); `undefined` when it has none or it is unknown. */
  keyLeft: number | undefined
}

/**
 * A key's spendable amount: min(what its limit leaves this period, the account's balance).
 *
 * @example
 * ```ts
 * spendableOf({ account: 999.98, keyLeft: 0.4985 }) // 0.4985: the key's own limit binds
 * spendableOf({ account: 0.3, keyLeft: 1.9 })       // 0.3: the account binds
 * ```
 */
export function spendableOf(p: SpendableParameters): number | undefined {
  if (p.account === undefined) return p.keyLeft
  if (p.keyLeft === undefined) return p.account
  return Math.min(p.account, p.keyLeft)
}
