/**
 * Per-user, per-model request and token limits in fixed windows of the emulator clock (RPM and TPM
 * per minute, RPD per UTC day), the `x-ratelimit-*` headers, and the log of exceeded limits.
 */
import type { Address } from 'viem'
import { defaultLimitsOf, tierOf, type ModelEntry, type TierLimits } from '../catalog/models.js'
import { RATE_LIMIT_TYPE } from '../http/rateLimitType.js'

/** Overrides: `global` applies to every model, `perModel` wins over it. */
export type RateLimitOverrides = { global?: Partial<TierLimits>; perModel?: Record<string, Partial<TierLimits>> }

/** One line of `/api_keys/rate_limits/log`. */
export type RateLimitLogEntry = {
  apiKeyId: string
  modelId: string
  rateLimitTier: string
  rateLimitType: 'RPD' | 'RPM' | 'TPM' | 'FAILED_REQUESTS'
  timestamp: string
}

type Window = { minute: number; reqs: number; tokens: number; day: number; dayReqs: number }

export type RateLimiter = ReturnType<typeof createRateLimiter>

const MINUTE = 60_000
const DAY = 86_400_000

/**
 * @example
 * ```ts
 * const limiter = createRateLimiter({ now: clock.now, overrides: { global: { rpm: 5 } } })
 * const verdict = limiter.take(address, model, keyId) // { exceeded?: 'RPM', headers }
 * ```
 */
export function createRateLimiter(options: { now: () => number; overrides?: RateLimitOverrides; limitHeader?: () => 'limit' | 'used' | undefined }) {
  let overrides = options.overrides ?? {}
  const windows = new Map<Address, Map<string, Window>>()
  const logs = new Map<Address, RateLimitLogEntry[]>()

  // Merged once per model until the overrides change (this runs twice per request).
  let merged = new Map<ModelEntry, TierLimits>()
  const limitsFor = (model: ModelEntry): TierLimits => {
    let l = merged.get(model)
    if (!l) merged.set(model, (l = { ...defaultLimitsOf(model), ...overrides.global, ...overrides.perModel?.[model.id] }))
    return l
  }
  const windowOf = (user: Address, modelId: string, now: number): Window => {
    const minute = Math.floor(now / MINUTE)
    const day = Math.floor(now / DAY)
    // user → model → window: no key string built per lookup (three lookups per request).
    let perModel = windows.get(user)
    if (!perModel) windows.set(user, (perModel = new Map()))
    let w = perModel.get(modelId)
    if (!w) perModel.set(modelId, (w = { minute, reqs: 0, tokens: 0, day, dayReqs: 0 }))
    if (w.minute !== minute) Object.assign(w, { minute, reqs: 0, tokens: 0 })
    if (w.day !== day) Object.assign(w, { day, dayReqs: 0 })
    return w
  }
  const headersOf = (limits: TierLimits, w: Window, now: number): Record<string, string> => {
    const resetMs = (w.minute + 1) * MINUTE
    // The rate-limiting page reads `limit-*` as "requests (tokens) made in the current period".
    const used = options.limitHeader?.() === 'used'
    return {
      'x-ratelimit-limit-requests': String(used ? w.reqs : limits.rpm),
      'x-ratelimit-remaining-requests': String(Math.max(0, limits.rpm - w.reqs)),
      'x-ratelimit-reset-requests': String(Math.ceil(resetMs / 1000)),
      'x-ratelimit-limit-tokens': String(used ? w.tokens : limits.tpm),
      'x-ratelimit-remaining-tokens': String(Math.max(0, limits.tpm - w.tokens)),
      'x-ratelimit-reset-tokens': String(Math.max(1, Math.ceil((resetMs - now) / 1000))),
    }
  }
  const log = (user: Address, entry: RateLimitLogEntry): void => {
    const list = logs.get(user) ?? []
    list.unshift(entry)
    logs.set(user, list.slice(0, 50))
  }

  return {
    limitsFor,
    setOverrides(next: RateLimitOverrides) {
      overrides = next
      merged = new Map()
    },
    /** The headers for `model` without counting a request. */
    peek(user: Address, model: ModelEntry): Record<string, string> {
      const now = options.now()
      return headersOf(limitsFor(model), windowOf(user, model.id, now), now)
    },
    /** Counts one request unless a limit is exhausted; returns which limit was hit, if any, and the headers. */
    take(user: Address, model: ModelEntry, keyId: string): { exceeded?: 'RPM' | 'RPD' | 'TPM'; headers: Record<string, string> } {
      const now = options.now()
      const limits = limitsFor(model)
      const w = windowOf(user, model.id, now)
      const exceeded = w.reqs >= limits.rpm ? 'RPM' : w.dayReqs >= limits.rpd ? 'RPD' : w.tokens >= limits.tpm ? 'TPM' : undefined
      if (exceeded) {
        log(user, { apiKeyId: keyId, modelId: model.id, rateLimitTier: tierOf(model), rateLimitType: exceeded, timestamp: new Date(now).toISOString() })
        const headers: Record<string, string> = { ...headersOf(limits, w, now), 'x-ratelimit-type': RATE_LIMIT_TYPE }
        if (exceeded === 'RPD') headers['x-ratelimit-reset-requests'] = String(Math.ceil(((w.day + 1) * DAY) / 1000))
        return { exceeded, headers }
      }
      w.reqs++
      w.dayReqs++
      return { headers: headersOf(limits, w, now) }
    },
    addTokens(user: Address, model: ModelEntry, tokens: number): void {
      windowOf(user, model.id, options.now()).tokens += tokens
    },
    log,
    logOf: (user: Address): RateLimitLogEntry[] => logs.get(user) ?? [],
  }
}

/**
 * Blocks a caller for `blockMs` once it has had more than `threshold` failed requests within `windowMs`
 * (Venice: "if a user generates more than 20 failed requests in a 30 second window" → 30 s block). The
 * emulator's caller is the account (`user:<address>`): every key of one wallet counts together.
 *
 * @example
 * ```ts
 * const breaker = createFailureBreaker({ now: clock.now })
 * breaker.fail('user:0xabc'); breaker.blockedUntil('user:0xabc') // 0 until the 21st failure
 * ```
 */
export function createFailureBreaker(options: { now: () => number; threshold?: number; windowMs?: number; blockMs?: number }) {
  const threshold = options.threshold ?? 20
  const windowMs = options.windowMs ?? 30_000
  const blockMs = options.blockMs ?? 30_000
  const failures = new Map<string, number[]>()
  const blocked = new Map<string, number>()
  return {
    /** Records a failed request; returns true when this failure trips the block. */
    fail(caller: string): boolean {
      const now = options.now()
      const list = (failures.get(caller) ?? []).filter((t) => t > now - windowMs)
      list.push(now)
      failures.set(caller, list)
      if (list.length > threshold && (blocked.get(caller) ?? 0) <= now) {
        blocked.set(caller, now + blockMs)
        failures.set(caller, [])
        return true
      }
      return false
    },
    /** Unix ms until which the caller is blocked, or 0. */
    blockedUntil(caller: string): number {
      const until = blocked.get(caller) ?? 0
      return until > options.now() ? until : 0
    },
    reset: () => {
      failures.clear()
      blocked.clear()
    },
  }
}
