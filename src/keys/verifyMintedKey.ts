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
  const wantExpiry = wanted.expiresAt ? Date.parse(wanted.expiresAt) : null
  const gotExpiry = actual.expiresAt ? Date.parse(actual.expiresAt) : null
  if (wantExpiry !== gotExpiry) problems.push(`expiry is ${actual.expiresAt ?? 'never'}, wanted ${wanted.expiresAt ?? 'never'}`)
  return problems
}
