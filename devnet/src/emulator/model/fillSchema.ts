/**
 * Produces a value valid under a JSON Schema, preferring values found in the user's message:
 * `key=value` pairs, then addresses for address-like strings, numbers, quoted strings and enum words;
 * otherwise `default`, `examples`/`example`, minimums, and type placeholders.
 */
import type { Extracted } from './extract.js'

type Schema = Record<string, unknown>

/** Consumable cursors over the extracted values, so each argument takes the next unused value. */
export type FillState = { ex: Extracted; nextNumber: number; nextAddress: number; nextQuoted: number; now: number }

/**
 * @example
 * ```ts
 * const state = { ex: extractValues('amount 5'), nextNumber: 0, nextAddress: 0, nextQuoted: 0, now: Date.now() }
 * fillSchema({ type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] }, state) // { amount: 5 }
 * ```
 */
export function fillSchema(schema: unknown, state: FillState, name = ''): unknown {
  const s = (schema ?? {}) as Schema
  if ('const' in s) return s.const
  const pair = name ? state.ex.pairs.get(name.toLowerCase()) : undefined
  if (Array.isArray(s.enum) && s.enum.length) {
    const found = s.enum.find((v) => typeof v === 'string' && (pair === v || state.ex.words.has(v.toLowerCase())))
    return found ?? (s.enum.includes(s.default) ? s.default : s.enum[0])
  }
  const branch = (s.anyOf ?? s.oneOf) as Schema[] | undefined
  if (Array.isArray(branch) && branch.length) return fillSchema(branch.find((b) => b.type !== 'null') ?? branch[0], state, name)
  if (Array.isArray(s.allOf) && s.allOf.length) return fillSchema(Object.assign({}, ...(s.allOf as Schema[])), state, name)
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined)
  const fallback = s.default ?? (Array.isArray(s.examples) ? s.examples[0] : s.example)
  switch (type ?? (s.properties ? 'object' : 'string')) {
    case 'object':
      return fillObject(s, state)
    case 'array': {
      if (fallback !== undefined && Array.isArray(fallback)) return fallback
      const min = typeof s.minItems === 'number' ? s.minItems : 0
      return Array.from({ length: Math.max(min, s.items ? 1 : 0) }, () => fillSchema(s.items, state, name))
    }
    case 'integer':
    case 'number':
      return fillNumber(s, state, type === 'integer', pair, fallback)
    case 'boolean':
      if (pair === 'true' || pair === 'false') return pair === 'true'
      return typeof fallback === 'boolean' ? fallback : false
    case 'null':
      return null
    default:
      return fillString(s, state, name, pair, fallback)
  }
}

function fillObject(s: Schema, state: FillState): Record<string, unknown> {
  const props = (s.properties ?? {}) as Record<string, Schema>
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : [])
  const out: Record<string, unknown> = {}
  for (const [key, prop] of Object.entries(props)) {
    const hinted = state.ex.pairs.has(key.toLowerCase()) || prop.default !== undefined
    if (required.has(key) || hinted) out[key] = fillSchema(prop, state, key)
  }
  return out
}

function fillNumber(s: Schema, state: FillState, integer: boolean, pair: string | undefined, fallback: unknown): number {
  let n: number | undefined = pair !== undefined && !Number.isNaN(Number(pair)) ? Number(pair) : undefined
  if (n === undefined && state.nextNumber < state.ex.numbers.length) n = state.ex.numbers[state.nextNumber++]
  if (n === undefined && typeof fallback === 'number') n = fallback
  const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + (integer ? 1 : 1e-9) : undefined
  const max = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - (integer ? 1 : 1e-9) : undefined
  n ??= min ?? 0
  if (integer) n = Math.round(n)
  if (min !== undefined && n < min) n = integer ? Math.ceil(min) : min
  if (max !== undefined && n > max) n = integer ? Math.floor(max) : max
  return n
}

function fillString(s: Schema, state: FillState, name: string, pair: string | undefined, fallback: unknown): string {
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern) : undefined
  const fits = (v: string | undefined): v is string =>
    v !== undefined &&
    (!pattern || pattern.test(v)) &&
    (typeof s.maxLength !== 'number' || v.length <= s.maxLength) &&
    (typeof s.minLength !== 'number' || v.length >= s.minLength)
  if (fits(pair)) return pair
  const addressLike = /address|recipient|wallet|^to$|account|contract|token/i.test(name) || (pattern?.test('0x' + '0'.repeat(40)) ?? false)
  if (addressLike && state.nextAddress < state.ex.addresses.length && fits(state.ex.addresses[state.nextAddress]))
    return state.ex.addresses[state.nextAddress++]!
  if (state.nextQuoted < state.ex.quoted.length && fits(state.ex.quoted[state.nextQuoted])) return state.ex.quoted[state.nextQuoted++]!
  if (typeof fallback === 'string' && fits(fallback)) return fallback
  if (s.format === 'date-time') return new Date(state.now).toISOString()
  if (s.format === 'date') return new Date(state.now).toISOString().slice(0, 10)
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com'
  if (s.format === 'email') return 'agent@example.com'
  if (addressLike && state.ex.addresses[0]) return state.ex.addresses[0]
  // Amount-like strings ("0.01") take the next number, so decimal-string schemas work too.
  if (/amount|value|qty|quantity|price/i.test(name) && state.nextNumber < state.ex.numbers.length) {
    const v = String(state.ex.numbers[state.nextNumber++])
    if (fits(v)) return v
  }
  let v = name || 'value'
  if (typeof s.minLength === 'number' && v.length < s.minLength) v = v.padEnd(s.minLength, 'x')
  if (typeof s.maxLength === 'number') v = v.slice(0, s.maxLength)
  return v
}
