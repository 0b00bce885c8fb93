import type { ApiKey } from '../venice/schemas.js'
import type { KeyRequest } from './keyRequest.js'

/**
 * Compares a key as read back from `GET /api_keys` with what was asked for. Venice's signature binds
 * neither the type nor the limits, and echoed limits have been reported unreliable, so this is the check.
 * Returns the list of mismatches (empty when the key is as requested).
 *
 * @example
 * ```ts
 * const problems = compareKey(await admin.getApiKey(id), request)
 * if (problems.length) await admin.deleteApiKey(id)
 * ```
 */
export function compareKey(actual: ApiKey, wanted: KeyRequest): string[] {
  const problems: string[] = []
  if (actual.apiKeyType !== wanted.apiKeyType) problems.push(`type is ${actual.apiKeyType}, wanted ${wanted.apiKeyType}`)
  for (const unit of ['diem', 'usd'] as const) {
    const want = wanted.consumptionLimit?.[unit] ?? null
    const got = actual.consumptionLimits[unit] ?? null
    if (want !== got) problems.push(`${unit} limit is ${got ?? 'none'}, wanted ${want ?? 'none'}`)
  }
  if (wanted.limitPeriod && actual.limitPeriod && actual.limitPeriod !== wanted.limitPeriod) {
    problems.push(`limit period is ${actual.limitPeriod}, wanted ${wanted.limitPeriod}`)
  }
  if (!sameExpiry(wanted.expiresAt ?? null, actual.expiresAt)) problems.push(`expiry is ${actual.expiresAt ?? 'never'}, wanted ${wanted.expiresAt ?? 'never'}`)
  return problems
}

const HOUR = 3_600_000

/**
 * Whether a read-back expiry matches the one sent. An instant must match to the second. A date-only value
 * (`2026-12-31`) is compared at day resolution: how Venice stores a date is not documented (UTC midnight,
 * the end of that day, midnight in some time zone), so any instant from that day's start in UTC+14 to its
 * end in UTC−12 is the same date. Revoking a freshly minted key over a normalisation would be the worse error.
 *
 * @example
 * ```ts
 * sameExpiry('2026-12-31', '2026-12-31T23:59:59.999Z') // true
 * sameExpiry('2026-12-31', '2027-01-02T00:00:00.000Z') // false
 * ```
 */
export function sameExpiry(wanted: string | null, got: string | null): boolean {
  if (wanted === null || got === null) return wanted === got
  const at = Date.parse(got)
  if (Number.isNaN(at)) return false
  if (/^\d{4}-\d{2}-\d{2}$/.test(wanted)) {
    const start = Date.parse(`${wanted}T00:00:00Z`)
    return at >= start - 14 * HOUR && at < start + 24 * HOUR + 12 * HOUR
  }
  return Math.floor(Date.parse(wanted) / 1000) === Math.floor(at / 1000)
}
