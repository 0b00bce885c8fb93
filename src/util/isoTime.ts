/**
 * ISO 8601 times as `Date#toISOString()` writes them (`2026-12-01T01:45:12.345Z`), to and from epoch ms,
 * with the current second's 20-character prefix cached.
 *
 * Hand-written because the spend ledger does both on every model call (it writes an ISO time, and its
 * in-memory columns keep the epoch ms after checking the string is canonical): `toISOString`, `Date.parse`
 * and the round trip that proves a string canonical cost about 1.6 µs a line, more than the rest of the
 * ledger (issue #18). Within one second, both directions are a table lookup and a string compare. Any
 * other time goes through `Date`, so the answers are always `Date`'s own.
 */

let cachedSecond = NaN
let cachedPrefix = ''
const MILLIS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`)

/**
 * `new Date(ms).toISOString()`.
 *
 * @example
 * ```ts
 * isoOf(Date.UTC(2026, 11, 1, 1, 45, 12, 345)) // '2026-12-01T01:45:12.345Z'
 * ```
 */
export function isoOf(ms: number): string {
  // A fraction (Date drops it) or NaN (Date throws) takes Date's own path.
  if (!Number.isInteger(ms)) return new Date(ms).toISOString()
  const second = Math.floor(ms / 1000)
  if (second !== cachedSecond) {
    const iso = new Date(ms).toISOString() // throws RangeError for an invalid time, as Date does
    // Only four-digit years share the fixed layout (others are written ±YYYYYY-…).
    if (iso.length !== 24) return iso
    cachedSecond = second
    cachedPrefix = iso.slice(0, 20)
    return iso
  }
  return cachedPrefix + MILLIS[ms - second * 1000]!
}

/**
 * The epoch ms of `v` when it is exactly what `toISOString()` writes for that time; otherwise `NaN`
 * (another ISO form, a date alone, any other string).
 *
 * @example
 * ```ts
 * canonicalIsoMs('2026-12-01T01:45:12.345Z') // 1764553512345
 * canonicalIsoMs('2026-12-01T01:45:12Z') // NaN: valid ISO, but not the canonical form
 * ```
 */
export function canonicalIsoMs(v: string): number {
  if (v.length === 24 && cachedSecond === cachedSecond && v.startsWith(cachedPrefix)) {
    const a = v.charCodeAt(20) - 48
    const b = v.charCodeAt(21) - 48
    const c = v.charCodeAt(22) - 48
    if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 && v.charCodeAt(23) === 90) return cachedSecond * 1000 + a * 100 + b * 10 + c
  }
  const ms = Date.parse(v)
  return ms === ms && isoOf(ms) === v ? ms : NaN
}
