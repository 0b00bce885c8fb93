/**
 * Flag values, validated before a command does anything (no transaction, no API call, no file write).
 * Each parser takes the raw string and the flag's name; a bad value is a `CLIError` (exit 2, usage) that
 * names the flag, says what it got, and what to give instead. The rules are zod schemas, so the same
 * bounds are written once.
 */
import { z } from 'zod'
import { CLIError } from './CLIError.js'

/** Plain decimal numbers only: no exponent (`1e999`), hex (`0x10`), sign, blank or `Infinity`. */
const DECIMAL = /^\d+(\.\d+)?$/
const decimal = z.string().trim().regex(DECIMAL).transform(Number).pipe(z.number())

/** Venice's bound on a key's consumption limit (USD or Diem per period). */
export const MAX_KEY_LIMIT = 9_999_999_999
/** Key expiries further out than this are almost certainly a typo. */
export const MAX_EXPIRY_DAYS = 3650

function fail(flag: string, value: string, expected: string, example: string): never {
  throw new CLIError(`${flag} must be ${expected}, got "${value}".`, { metaMessages: [`e.g. ${flag} ${example}`], code: 'CLI_BAD_FLAG_VALUE' })
}

/**
 * A number within `[min, max]` (`exclusiveMin` makes the lower bound strict), optionally whole.
 *
 * @example
 * ```ts
 * numberFlag('0.25', '--diem', { min: 0, exclusiveMin: true, max: 1e10 }) // 0.25
 * numberFlag('1e999', '--expires-days', { min: 0, exclusiveMin: true, max: 3650 }) // throws CLIError naming --expires-days
 * ```
 */
export function numberFlag(value: string, flag: string, o: { min: number; max: number; exclusiveMin?: boolean; integer?: boolean; example?: string }): number {
  let bounds = (o.exclusiveMin ? z.number().gt(o.min) : z.number().gte(o.min)).lte(o.max)
  if (o.integer) bounds = bounds.int()
  const parsed = decimal.pipe(bounds).safeParse(value)
  if (parsed.success) return parsed.data
  const kind = o.integer ? 'a whole number' : 'a number'
  const range = o.exclusiveMin ? `greater than ${o.min} and at most ${o.max}` : `from ${o.min} to ${o.max}`
  return fail(flag, value, `${kind} ${range}`, o.example ?? String(o.integer ? Math.max(1, Math.ceil(o.min)) : o.max >= 1 ? 1 : o.max))
}

/** The same, for an optional flag. */
export function optionalNumberFlag(value: string | undefined, flag: string, o: Parameters<typeof numberFlag>[2]): number | undefined {
  return value === undefined ? undefined : numberFlag(value, flag, o)
}

/**
 * A key's consumption limit: greater than zero (a zero limit makes a key that can do nothing) and within Venice's bound.
 *
 * @example
 * ```ts
 * keyLimitFlag('0', '--diem') // throws: --diem must be a number greater than 0 …
 * ```
 */
export function keyLimitFlag(value: string | undefined, flag: string): number | undefined {
  return optionalNumberFlag(value, flag, { min: 0, exclusiveMin: true, max: MAX_KEY_LIMIT, example: '0.5' })
}

/**
 * One of `allowed`, case-insensitive.
 *
 * @example
 * ```ts
 * enumFlag('epoch', '--period', ['EPOCH', 'MONTH', 'LIFETIME']) // 'EPOCH'
 * ```
 */
export function enumFlag<T extends string>(value: string | undefined, flag: string, allowed: readonly [T, ...T[]]): T | undefined {
  if (value === undefined) return undefined
  const parsed = z.enum(allowed).safeParse(value.trim().toUpperCase())
  if (!parsed.success) throw new CLIError(`${flag} must be one of ${allowed.join(', ')}, got "${value}".`, { code: 'CLI_BAD_FLAG' })
  return parsed.data
}

const calendarDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{3})?Z)?$/)
  // A real calendar day and time: `2026-13-45` and `2026-02-30` parse (or roll over) in JS, so compare the round trip.
  .refine((s) => {
    const ms = Date.parse(s)
    return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, s.length === 10 ? 10 : 19) === s.slice(0, s.length === 10 ? 10 : 19)
  })

/**
 * A future date, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`, that exists on the calendar.
 *
 * @example
 * ```ts
 * futureDateFlag('2026-13-45', '--expires', Date.now()) // throws: --expires must be a real date …
 * ```
 */
export function futureDateFlag(value: string | undefined, flag: string, now: number): string | undefined {
  if (value === undefined) return undefined
  if (!calendarDate.safeParse(value).success) fail(flag, value, 'a real date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)', '2027-01-31')
  if (Date.parse(value.trim()) <= now) fail(flag, value, 'in the future', new Date(now + 30 * 86_400_000).toISOString().slice(0, 10))
  if (Date.parse(value.trim()) > now + MAX_EXPIRY_DAYS * 86_400_000)
    fail(flag, value, `at most ${MAX_EXPIRY_DAYS} days from now`, new Date(now + 365 * 86_400_000).toISOString().slice(0, 10))
  return value.trim()
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A moment as ms: an ISO date/time, or a positive duration back from `now` (`30m`, `1h`, `7d`).
 *
 * @example
 * ```ts
 * sinceFlag('1h', '--since', Date.parse('2026-01-01T01:00:00Z')) // Date.parse('2026-01-01T00:00:00Z')
 * sinceFlag('-1', '--window', Date.now()) // throws CLIError naming --window
 * ```
 */
export function sinceFlag(value: string, flag: string, now: number, o: { durationOnly?: boolean } = {}): number {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim())
  if (duration && Number(duration[1]) > 0) return now - Number(duration[1]) * UNITS[duration[2]!]!
  if (!o.durationOnly && calendarDate.safeParse(value).success) return Date.parse(value.trim())
  return fail(
    flag,
    value,
    o.durationOnly ? 'a positive duration (30m, 1h, 7d)' : 'an ISO time (2026-01-31T12:00:00Z) or a positive duration (30m, 1h, 7d)',
    '1d',
  )
}

/**
 * A name of lowercase letters, digits and dashes (agent names, key labels).
 *
 * @example
 * ```ts
 * nameFlag('social-bot', '--agent') // 'social-bot'
 * ```
 */
export function nameFlag(value: string, flag: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(value)) fail(flag, value, 'a name of lowercase letters, digits and dashes (at most 32)', 'treasurer')
  return value
}
