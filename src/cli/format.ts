/**
 * The one display formatter of the CLI: every amount, balance, rate and runway a command prints as text goes
 * through here, so no command shows float noise (`0.031000000000000003`) or 18-digit fractions. `--json`
 * keeps exact decimal strings for token amounts (see `presentable`) and only loses binary float noise.
 */
// ox's `Value.format` is viem's `formatUnits` (ox is viem's primitives library), without loading viem's ~1,000
// modules into every command that prints (issue #25: `gondola wallet address`).
import { format as formatUnits } from 'ox/Value'
import type { X402Runway } from '../status/x402Runway.js'

export type FormatOptions = {
  /** Most fraction digits shown (default 6). A non-zero value that would round to 0 keeps 2 significant digits. */
  maxFraction?: number | undefined
  /** Fewest fraction digits shown, for aligned columns (default 0: trailing zeros dropped). */
  minFraction?: number | undefined
}

/**
 * A float for people: rounded to `maxFraction` digits, trailing zeros dropped (down to `minFraction`).
 *
 * @example
 * ```ts
 * formatNumber(0.1 + 0.2)                    // '0.3'
 * formatNumber(0.031000000000000003)         // '0.031'
 * formatNumber(0.00000012)                   // '0.00000012'
 * formatNumber(0.5, { minFraction: 6 })      // '0.500000'
 * ```
 */
export function formatNumber(n: number, o: FormatOptions = {}): string {
  if (!Number.isFinite(n)) return String(n)
  const max = o.maxFraction ?? 6
  let text = n.toFixed(max)
  if (n !== 0 && Number(text) === 0) {
    const digits = Math.min(20, Math.max(max, 1 - Math.floor(Math.log10(Math.abs(n)))))
    text = Number(n.toPrecision(2)).toFixed(digits)
  }
  return trim(text, o.minFraction ?? 0)
}

/**
 * A token amount in base units for people, rounded half-up on the integer (no float on the way).
 *
 * @example
 * ```ts
 * formatAmount(9_970_314_028_312_451_123n)  // '9.970314'
 * formatAmount(10n ** 16n)                  // '0.01'
 * formatAmount(120n)                        // '0.00000000000000012'
 * ```
 */
export function formatAmount(value: bigint, decimals = 18, o: FormatOptions = {}): string {
  const max = Math.min(o.maxFraction ?? 6, decimals)
  const unit = 10n ** BigInt(decimals - max)
  const negative = value < 0n
  const abs = negative ? -value : value
  const rounded = ((abs + unit / 2n) / unit) * unit
  if (rounded === 0n && abs !== 0n) {
    // Too small for `max` digits: keep two significant digits so a dust balance never reads as 0.
    const exact = formatUnits(abs, decimals)
    const [, fraction = ''] = exact.split('.')
    const lead = fraction.length - fraction.replace(/^0+/, '').length
    return `${negative ? '-' : ''}0.${fraction.slice(0, lead + 2).replace(/0+$/, '')}`
  }
  return `${negative ? '-' : ''}${trim(formatUnits(rounded, decimals), o.minFraction ?? 0)}`
}

/** JSON replacer values: bigints as decimal strings, binary float noise rounded off (15 significant digits). */
export function displayJson(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)) return Number(v.toPrecision(15))
  return v
}

function trim(text: string, minFraction: number): string {
  if (!text.includes('.')) return minFraction > 0 ? `${text}.${'0'.repeat(minFraction)}` : text
  const [whole, fraction = ''] = text.split('.')
  const kept = fraction.replace(/0+$/, '').padEnd(minFraction, '0')
  return kept ? `${whole}.${kept}` : whole!
}

/**
 * The x402 runway as `gondola status` and `gondola x402 balance` print it.
 *
 * @example
 * ```ts
 * x402RunwayText({ state: 'draining', runwayHours: 1312.5, burnPerHour: 0.0038, spendable: 4.99, basis: '' }) // '1312.5 h at $0.0038/h'
 * ```
 */
export function x402RunwayText(r: X402Runway): string {
  if (r.state === 'unknown') return 'unknown'
  if (r.state === 'idle') return 'idle (no x402 spend in the window)'
  return `${formatNumber(r.runwayHours ?? 0)} h at $${formatNumber(r.burnPerHour)}/h`
}
