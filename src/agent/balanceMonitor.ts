import { burnPerHour as burnRateOf } from '../status/burnRate.js'
import { DEFAULT_BURN_WINDOW_MS } from '../status/figures.js'
import { runwayHours as runwayOf } from '../status/runway.js'
import { spendableOf } from '../status/spendable.js'
import type { VeniceHeaders } from '../venice/headers.js'
import type { RateLimits } from '../venice/schemas.js'
import { createBurnWindow } from './burnRate.js'
import { createEmitter } from './emitter.js'

/** A snapshot of what the monitor knows. Amounts are Diem / USD (1 Diem = $1 of compute per day). */
export type BalanceSnapshot = {
  balanceDiem: number | undefined
  balanceUsd: number | undefined
  /** Diem + USD the key can still spend (capped by the key's own consumption limit when known). */
  spendable: number | undefined
  /** Spend per hour over the burn window. */
  burnPerHour: number
  /** Hours until `spendable` runs dry at `burnPerHour`; `Infinity` when nothing is being spent. */
  runwayHours: number
  /**
   * Hours until the account's balance (not capped by the key's own limit) runs dry at `burnPerHour`: what a top-up
   * can lengthen. The levels (`low`, `critical`, `exhausted`) and funding follow it; a key at its own limit is the
   * provisioner's business (rotation), never a reason to buy Diem.
   */
  accountRunwayHours: number
  nextEpochBegins: number | undefined
  keyExpiresAt: number | undefined
  level: 'ok' | 'low' | 'critical' | 'exhausted'
}

/** Events a monitor emits, each once per transition. */
export type BalanceEvents = {
  low: BalanceSnapshot
  critical: BalanceSnapshot
  exhausted: BalanceSnapshot & { reason: string }
  epochReset: BalanceSnapshot
  keyExpiring: BalanceSnapshot & { expiresInHours: number }
  refreshError: { error: unknown }
}

/** Options of `createBalanceMonitor`. */
export type BalanceMonitorOptions = {
  /** Runway below which `low` fires (hours). */
  lowRunwayHours?: number | undefined
  /** Runway below which `critical` fires (hours). */
  criticalRunwayHours?: number | undefined
  /** Spendable at or below which the key counts as exhausted. Default 0. */
  exhaustedBelow?: number | undefined
  /** How far back spend counts toward the burn rate. Default the status model's window (24 h), as `gondola status`. */
  burnWindowMs?: number | undefined
  /** `keyExpiring` fires when expiry is closer than this. Default 24 h. */
  keyExpiringHours?: number | undefined
  /** Reads `/api_keys/rate_limits` (inject `client.getRateLimits`). Optional: headers alone also work. */
  fetchRateLimits?: (() => Promise<RateLimits>) | undefined
  /**
   * The x402 rail: reads the wallet's USDC credits (`/x402/balance`, in USD), in place of `fetchRateLimits` (a SIWX
   * caller has no key). Between reads, each answer's `X-Balance-Remaining` keeps the figure current.
   */
  fetchCredits?: (() => Promise<number>) | undefined
  /** Remaining allowance of the key's own consumption limit, if it has one (e.g. read from `GET /api_keys/{id}`). */
  keyLimitRemaining?: number | undefined
  /** When the key expires (ms since the epoch), if known without asking the API. */
  keyExpiresAt?: number | undefined
  /**
   * Take the key's expiry from `keyExpiration` of `/api_keys/rate_limits`. That field is the expiry of the
   * key that made the call, so only when `fetchRateLimits` uses this very key. Default true.
   */
  expiryFromRateLimits?: boolean | undefined
  now?: (() => number) | undefined
}

const HOUR = 3_600_000
const rank = { ok: 0, low: 1, critical: 2, exhausted: 3 } as const

/**
 * Watches one key's balance from response headers (zero extra requests), plus `/api_keys/rate_limits`
 * refreshed periodically and when an epoch ends. Computes spendable, burn rate and runway, and emits
 * `low`, `critical`, `exhausted`, `epochReset` and `keyExpiring` on transitions.
 *
 * @example
 * ```ts
 * const monitor = createBalanceMonitor({ lowRunwayHours: 24, criticalRunwayHours: 2, fetchRateLimits: venice.getRateLimits })
 * monitor.on('low', (s) => console.log(`runway ${s.runwayHours.toFixed(1)} h`))
 * monitor.observeHeaders(parseVeniceHeaders(response.headers))
 * monitor.recordSpend(0.0042)
 * ```
 */
export function createBalanceMonitor(options: BalanceMonitorOptions = {}) {
  const now = options.now ?? Date.now
  const lowH = options.lowRunwayHours ?? 24
  const critH = options.criticalRunwayHours ?? Math.min(2, lowH)
  const exhaustedBelow = options.exhaustedBelow ?? 0
  const burnWindowMs = options.burnWindowMs ?? DEFAULT_BURN_WINDOW_MS
  const expiringH = options.keyExpiringHours ?? 24
  const events = createEmitter<BalanceEvents>()
  let balanceDiem: number | undefined
  let balanceUsd: number | undefined
  // The last headers were x402 credits after a charged call: the next `recordSpend` is already counted in them.
  let creditsAfterSpend = false
  let keyLimitRemaining = options.keyLimitRemaining
  let nextEpochBegins: number | undefined
  let keyExpiresAt: number | undefined = options.keyExpiresAt
  let level: BalanceSnapshot['level'] = 'ok'
  let expiringFired = false
  // O(1) per event: a running sum over the window instead of re-summing every spend (issue #18).
  const spends = createBurnWindow(burnWindowMs)
  let refreshing: Promise<void> | undefined
  let timer: ReturnType<typeof setInterval> | undefined

  // The figures of the latest `measure()`: kept in variables so `evaluate`, which runs twice per model step,
  // builds a snapshot object only when it has an event to emit.
  let mSpendable: number | undefined
  let mBurnPerHour = 0
  let mRunwayHours = Infinity
  let mFundable: number | undefined
  let mAccountRunwayHours = Infinity
  // The figures come from the status model (`src/status`), the same functions `gondola status` uses.
  function measure(): void {
    const t = now()
    const spent = spends.total(t)
    const account = balanceDiem === undefined && balanceUsd === undefined ? undefined : (balanceDiem ?? 0) + (balanceUsd ?? 0)
    mSpendable = spendableOf({ account, keyLeft: keyLimitRemaining })
    mBurnPerHour = burnRateOf({ spent, firstSpendAt: spends.firstAt(), now: t, windowMs: burnWindowMs })
    mRunwayHours = runwayOf({ spendable: mSpendable, burnPerHour: mBurnPerHour, exhaustedBelow })
    // Until a balance is seen, the key's own figures stand in for the account's.
    mFundable = account ?? mSpendable
    mAccountRunwayHours = account === undefined ? mRunwayHours : runwayOf({ spendable: account, burnPerHour: mBurnPerHour, exhaustedBelow })
  }
  const measured = (): BalanceSnapshot => ({
    balanceDiem,
    balanceUsd,
    spendable: mSpendable,
    burnPerHour: mBurnPerHour,
    runwayHours: mRunwayHours,
    accountRunwayHours: mAccountRunwayHours,
    nextEpochBegins,
    keyExpiresAt,
    level,
  })

  function snapshot(): BalanceSnapshot {
    measure()
    return measured()
  }

  function evaluate(reason?: string) {
    measure()
    const next: BalanceSnapshot['level'] =
      reason || (mFundable !== undefined && mFundable <= exhaustedBelow)
        ? 'exhausted'
        : mAccountRunwayHours < critH
          ? 'critical'
          : mAccountRunwayHours < lowH
            ? 'low'
            : 'ok'
    let s: BalanceSnapshot | undefined
    if (rank[next] > rank[level]) {
      s = measured()
      // Emit every level crossed, in order, so a `low` listener hears about a jump straight to `critical`.
      const crossed = (['low', 'critical', 'exhausted'] as const).filter((l) => rank[l] > rank[level] && rank[l] <= rank[next])
      level = next
      const snap = { ...s, level }
      for (const l of crossed) {
        if (l === 'exhausted') events.emit('exhausted', { ...snap, reason: reason ?? 'balance is zero' })
        else events.emit(l, snap)
      }
    } else if (rank[next] < rank[level]) level = next // recovered (top-up or new epoch): re-arm
    if (keyExpiresAt !== undefined && !expiringFired && keyExpiresAt - now() < expiringH * HOUR) {
      expiringFired = true
      events.emit('keyExpiring', { ...(s ?? measured()), level, expiresInHours: (keyExpiresAt - now()) / HOUR })
    }
  }

  function checkEpoch() {
    if (nextEpochBegins !== undefined && now() >= nextEpochBegins) {
      nextEpochBegins = undefined
      // The burn is a rate over the window, as the status model counts it: the reset restores the balance, not the rate.
      level = 'ok'
      void refresh().then(() => events.emit('epochReset', snapshot()))
    }
  }

  async function refresh(): Promise<void> {
    if (options.fetchCredits)
      // The x402 rail: the wallet's credits are the whole balance, read from `/x402/balance`.
      return readOnce(options.fetchCredits, (usd) => {
        balanceDiem = undefined
        balanceUsd = usd
        creditsAfterSpend = false
      })
    if (!options.fetchRateLimits) return
    return readOnce(options.fetchRateLimits, (rl) => {
      balanceDiem = rl.balances.DIEM ?? balanceDiem
      balanceUsd = rl.balances.USD ?? balanceUsd
      nextEpochBegins = Date.parse(rl.nextEpochBegins) || undefined
      if (options.expiryFromRateLimits !== false) {
        const expires = rl.keyExpiration ? Date.parse(rl.keyExpiration) || undefined : undefined
        if (expires !== keyExpiresAt) expiringFired = false // a rotated key gets its own warning
        keyExpiresAt = expires
      }
    })
  }

  // One read in flight at a time: concurrent refreshes share it; a failed read is an event, never a rejection.
  function readOnce<T>(read: () => Promise<T>, apply: (value: T) => void): Promise<void> {
    refreshing ??= read().then(
      (value) => {
        apply(value)
        refreshing = undefined
        evaluate()
      },
      (error: unknown) => {
        refreshing = undefined
        events.emit('refreshError', { error })
      },
    )
    return refreshing
  }

  return {
    on: events.on,
    snapshot,
    /** When the key expires (ms), without building a snapshot (read before every run). */
    keyExpiresAt: (): number | undefined => keyExpiresAt,
    refresh,
    /**
     * Feed a response's headers. Diem/USD balances are the balance before that request; x402 credits
     * (`X-Balance-Remaining`, a SIWX call) are what is left after it, so the call's own spend is not taken off again.
     */
    observeHeaders(h: VeniceHeaders, status?: number) {
      if (h.balanceRemainingUsd !== undefined) {
        // Signed in with SIWX: the wallet's credits are the whole balance (no Diem is spent on this rail).
        balanceDiem = undefined
        balanceUsd = h.balanceRemainingUsd
        // After a charged call only (a 402 carries the balance that was too short; nothing was spent).
        creditsAfterSpend = status !== undefined && status < 400
      }
      if (h.balanceDiem !== undefined) balanceDiem = h.balanceDiem
      if (h.balanceUsd !== undefined) balanceUsd = h.balanceUsd
      checkEpoch()
      evaluate(status === 402 ? 'insufficient balance (402)' : undefined)
    },
    /**
     * Seeds the burn window with spends recorded before this monitor started (the ledger's lines in the window, in
     * time order), so a new process rates the burn as `gondola status` does. Ignored after the first `recordSpend`.
     */
    seedSpends(past: readonly { at: number; amount: number }[]) {
      // The window keeps time order: once this process has spent, older lines cannot be put in front.
      if (spends.size > 0) return
      for (const p of past) spends.add(p.at, p.amount)
      evaluate()
    },
    /** Record a spend (estimated from usage × price) so balance and burn rate move between headers. */
    recordSpend(amount: number) {
      if (amount <= 0) return
      spends.add(now(), amount)
      if (creditsAfterSpend) {
        // The credits header already counted this call.
        creditsAfterSpend = false
        evaluate()
        return
      }
      if (balanceDiem !== undefined && balanceDiem >= amount) balanceDiem -= amount
      else if (balanceDiem !== undefined || balanceUsd !== undefined) {
        const fromDiem = Math.max(0, balanceDiem ?? 0)
        balanceDiem = balanceDiem === undefined ? undefined : 0
        balanceUsd = (balanceUsd ?? 0) - (amount - fromDiem)
      }
      if (keyLimitRemaining !== undefined) keyLimitRemaining -= amount
      evaluate()
    },
    /** Set when the key expires (ms), e.g. from the key store after a mint or rotation; `/api_keys/rate_limits` needs an ADMIN key on some deployments. */
    setKeyExpiresAt(ms: number | undefined) {
      if (ms !== keyExpiresAt) expiringFired = false
      keyExpiresAt = ms
      evaluate()
    },
    /** Set the key's remaining consumption-limit allowance (after a re-limit or a read-back). */
    setKeyLimitRemaining(v: number | undefined) {
      keyLimitRemaining = v
      evaluate()
    },
    /** Refresh `/api_keys/rate_limits` every `ms` (timer is unref'd). */
    start(ms = 5 * 60_000) {
      timer ??= setInterval(() => void refresh(), ms)
      timer.unref?.()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}

/** A monitor as returned by `createBalanceMonitor`. */
export type BalanceMonitor = ReturnType<typeof createBalanceMonitor>
