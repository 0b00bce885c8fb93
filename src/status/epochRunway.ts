/**
 * Epoch-aware runway: Diem does not run down forever — the allowance comes back at each reset (00:00 UTC).
 * Part of the status model: `keyRunways` feeds it the burn rate every surface shows.
 */

export type EpochRunwayParameters = {
  /** Diem spendable now. */
  balance: number
  /** Diem per hour being spent. */
  burnPerHour: number
  /** Milliseconds until the next reset. */
  msToReset: number
  /** Diem spendable right after the reset (the allowance; USD is not refilled). */
  allowanceAfterReset: number
  /** Epoch length (default 24 h). */
  epochMs?: number | undefined
}

export type EpochRunway = {
  /** Hours until the balance first hits zero; null when it never does at this burn (each epoch's allowance covers it). */
  hours: number | null
  /** Whether the balance runs out before the next reset. */
  emptiesBeforeReset: boolean
  resetsInHours: number
  allowanceAfterReset: number
  /** Whether one epoch's allowance covers one epoch of burn. */
  sustainable: boolean
}

/**
 * @example
 * ```ts
 * epochRunway({ balance: 0.5, burnPerHour: 0.1, msToReset: 30_000, allowanceAfterReset: 10 })
 * // { hours: null, sustainable: true, … }: 10 Diem a day covers 2.4 Diem a day of burn
 * ```
 */
export function epochRunway(p: EpochRunwayParameters): EpochRunway {
  const epochH = (p.epochMs ?? 86_400_000) / 3_600_000
  const resetsInHours = Math.max(0, p.msToReset) / 3_600_000
  const sustainable = p.burnPerHour * epochH <= p.allowanceAfterReset
  const base = { resetsInHours: round(resetsInHours), allowanceAfterReset: round(p.allowanceAfterReset), sustainable }
  if (p.burnPerHour <= 0) return { ...base, hours: null, emptiesBeforeReset: false }
  const now = Math.max(0, p.balance) / p.burnPerHour
  if (now < resetsInHours) return { ...base, hours: round(now), emptiesBeforeReset: true }
  if (sustainable) return { ...base, hours: null, emptiesBeforeReset: false }
  return { ...base, hours: round(resetsInHours + p.allowanceAfterReset / p.burnPerHour), emptiesBeforeReset: false }
}

/** Milliseconds from `now` to the next epoch boundary (epochs aligned to the Unix epoch: 00:00 UTC). */
export function msToNextReset(now: number, epochMs = 86_400_000): number {
  return (Math.floor(now / epochMs) + 1) * epochMs - now
}

const round = (n: number) => Math.round(n * 1e4) / 1e4
