/**
 * Readings of the docs that production may follow and the emulator's default does not: where two
 * Venice pages disagree, or where only public reports give a wording, the emulator can answer either
 * way so tests show that the client fails safe under each (see `src/emulator/README.md`).
 */

/** Switches for documented-but-ambiguous behaviour. Every field is optional; the defaults are listed. */
export type EmulatorVariants = {
  /**
   * What `x-ratelimit-limit-requests` / `-tokens` carry: `limit` (the API-spec page: the maximum allowed,
   * default) or `used` (the rate-limiting page: requests / tokens made in the current period).
   */
  limitHeader?: 'limit' | 'used'
  /**
   * The `error` of the 402 for a key over its own consumption limit. Default: `API key DIEM spend limit
   * exceeded` / `API key USD spend limit exceeded` (public reports, not the docs).
   */
  keyLimitMessage?: string
  /** How a date-only `expiresAt` is stored: `start-of-day` (UTC midnight, default) or `end-of-day` (23:59:59.999Z). */
  dateOnlyExpiry?: 'start-of-day' | 'end-of-day'
}

/**
 * Validates variants from the admin endpoint or options; unknown keys or values are refused.
 *
 * @example
 * ```ts
 * parseVariants({ limitHeader: 'used' }) // { limitHeader: 'used' }
 * ```
 */
export function parseVariants(input: unknown): EmulatorVariants {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new TypeError('variants must be an object')
  const out: EmulatorVariants = {}
  for (const [k, v] of Object.entries(input)) {
    if (k === 'limitHeader' && (v === 'limit' || v === 'used')) out.limitHeader = v
    else if (k === 'keyLimitMessage' && typeof v === 'string' && v.length > 0) out.keyLimitMessage = v
    else if (k === 'dateOnlyExpiry' && (v === 'start-of-day' || v === 'end-of-day')) out.dateOnlyExpiry = v
    else
      throw new TypeError(`unknown variant ${k}=${JSON.stringify(v)} (limitHeader: limit|used, keyLimitMessage: text, dateOnlyExpiry: start-of-day|end-of-day)`)
  }
  return out
}
