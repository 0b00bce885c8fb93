/**
 * A Retry-After value (seconds, or an HTTP date) as milliseconds to wait; `fallback` when absent or unreadable.
 *
 * @example
 * ```ts
 * retryAfterMs('2', 1000, Date.now()) // 2000
 * ```
 */
export function retryAfterMs(value: string | null | undefined, fallback: number, now: number): number {
  if (!value) return fallback
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? fallback : Math.max(0, at - now)
}
