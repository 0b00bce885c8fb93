import { roundFigure } from './figures.js'

/**
 * Hours until `spendable` runs dry at `burnPerHour`: `Infinity` when nothing is being spent (or the spendable
 * amount is unknown), 0 when nothing is left and nothing is being spent below `exhaustedBelow`.
 *
 * @example
 * ```ts
 * runwayHours({ spendable: 0.5, burnPerHour: 0.05 }) // 10
 * runwayHours({ spendable: 0.5, burnPerHour: 0 })    // Infinity
 * ```
 */
export function runwayHours(p: { spendable: number | undefined; burnPerHour: number; exhaustedBelow?: number | undefined }): number {
  if (p.spendable === undefined) return Infinity
  if (p.burnPerHour > 0) return Math.max(0, p.spendable) / p.burnPerHour
  return p.spendable > (p.exhaustedBelow ?? 0) ? Infinity : 0
}

/** How a key's runway reads: unknown spendable, nothing spent in the window, or running down. */
export type RunwayState = 'unknown' | 'idle' | 'draining'

/** A key's figures as every surface prints them (6 decimals; `null` where there is no number). */
export type KeyFigures = {
  /** min(what the key's limit leaves this period, the account's balance); null when neither is known. */
  spendable: number | null
  burnPerHour: number
  /** Hours at the current burn rate; null when idle or unknown (see `state`). */
  runwayHours: number | null
  state: RunwayState
}

/**
 * The printed figures of one key, from the unrounded ones: what every surface formats.
 *
 * @example
 * ```ts
 * keyFigures({ spendable: 0.49851, burnPerHour: 0.0015 }) // { spendable: 0.49851, burnPerHour: 0.0015, runwayHours: 332.34, state: 'draining' }
 * ```
 */
export function keyFigures(p: { spendable: number | undefined; burnPerHour: number }): KeyFigures {
  const state: RunwayState = p.spendable === undefined ? 'unknown' : p.burnPerHour > 0 ? 'draining' : 'idle'
  const hours = runwayHours(p)
  return {
    spendable: p.spendable === undefined ? null : roundFigure(p.spendable),
    burnPerHour: roundFigure(p.burnPerHour),
    runwayHours: state === 'draining' && Number.isFinite(hours) ? roundFigure(hours) : null,
    state,
  }
}
