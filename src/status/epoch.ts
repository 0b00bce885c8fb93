import type { KeySummary } from '../keys/KeyStore.js'
import type { GetBalancesReturnType } from '../wallet/actions/getBalances.js'
import { epochRunway } from './epochRunway.js'
import { HOUR_MS, roundFigure } from './figures.js'
import type { KeyRunway } from './keyRunways.js'

/** The epoch as status shows it: when the allowance comes back, and how much. */
export type EpochInfo = { nextReset: string; resetsInHours: number; allowanceAfterReset: number; basis: string }

/** What comes back at the reset, and how that was worked out (e.g. the autopilot's projection from the stake). */
export type AllowanceProjection = (p: {
  balances: GetBalancesReturnType
  allocation: number | undefined
}) => Promise<{ amount: number; basis: string } | undefined>

/** Inputs of `epochOf`. */
export type EpochOfParameters = {
  balances: GetBalancesReturnType
  /** `nextEpochBegins` of `/api_keys/rate_limits`. */
  nextEpochBegins: string
  /** This epoch's allocation (`/billing/balance` → `diemEpochAllocation`), when read. */
  allocation: number | undefined
  /** A better guess of the allowance after the reset (the autopilot's, from the stake); else this epoch's allocation. */
  projectAllowance?: AllowanceProjection | undefined
  now: number
}

/**
 * The epoch: when the allowance resets and what comes back (the projection when one is given and knows, else this
 * epoch's allocation: the stake unchanged).
 *
 * @example
 * ```ts
 * const epoch = await epochOf({ balances, nextEpochBegins: limits.nextEpochBegins, allocation: 1.2, now: Date.now() })
 * epoch.resetsInHours
 * ```
 */
export async function epochOf(p: EpochOfParameters): Promise<EpochInfo> {
  const next = Date.parse(p.nextEpochBegins)
  const projected = await p.projectAllowance?.({ balances: p.balances, allocation: p.allocation })
  const allowanceAfterReset = projected?.amount ?? p.allocation ?? 0
  const basis = projected?.basis ?? (p.allocation === undefined ? 'unknown' : "this epoch's allocation")
  return {
    nextReset: p.nextEpochBegins,
    resetsInHours: roundFigure(Math.max(0, next - p.now) / HOUR_MS),
    allowanceAfterReset: roundFigure(allowanceAfterReset),
    basis,
  }
}

/** A key's runway with the epoch counted in: its spendable comes back at the reset (up to its own EPOCH limit). */
export type KeyRunwayAcrossReset = KeyRunway & {
  /** Hours until it first runs dry, the reset counted in; null when idle, unknown, or each reset covers the burn. */
  runwayHoursAcrossReset: number | null
  /** Whether one epoch's allowance covers one epoch of burn; null when idle or the epoch is unknown. */
  sustainable: boolean | null
}

/**
 * Each key's runway counted across the reset.
 *
 * @example
 * ```ts
 * withEpoch(keyRunways({ keys, server, limits, entries, now, windowMs }), keys, epoch)
 * ```
 */
export function withEpoch(runways: readonly KeyRunway[], keys: readonly KeySummary[], epoch: EpochInfo | undefined): KeyRunwayAcrossReset[] {
  return runways.map((r) => {
    if (!epoch || r.spendable === null || r.state !== 'draining') return { ...r, runwayHoursAcrossReset: r.runwayHours, sustainable: null }
    const k = keys.find((x) => x.id === r.keyId)
    const keyLimit = k?.limitPeriod === 'EPOCH' ? (k.consumptionLimit.diem ?? undefined) : undefined
    const after = keyLimit === undefined ? epoch.allowanceAfterReset : Math.min(keyLimit, epoch.allowanceAfterReset)
    const e = epochRunway({ balance: r.spendable, burnPerHour: r.burnPerHour, msToReset: epoch.resetsInHours * HOUR_MS, allowanceAfterReset: after })
    return { ...r, runwayHoursAcrossReset: e.hours, sustainable: e.sustainable }
  })
}
