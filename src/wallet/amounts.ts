/**
 * Validation at the edges: human decimal strings become bigint base units here, and only here.
 */
import { formatUnits, getAddress, isAddress, parseUnits, type Address } from 'viem'
import { InvalidAddressError, InvalidAmountError } from './errors.js'

export type ParseAmountParameters = {
  /** Token decimals (18 for ETH, VVV, sVVV and DIEM). */
  decimals?: number | undefined
  /** Symbol shown in error messages, e.g. `ETH`. */
  symbol?: string | undefined
  /** Name of the flag or field the value came from, e.g. `--eth`. */
  field?: string | undefined
}

const DECIMAL = /^\d+(\.\d+)?$/

/**
 * Parses a positive human decimal amount into base units.
 *
 * Rejects empty, non-numeric, negative, exponent, zero and over-precise values with an
 * {@link InvalidAmountError} that says what to fix.
 *
 * @param input - e.g. `"0.05"`.
 * @returns the amount in base units.
 * @throws {InvalidAmountError}
 *
 * @example
 * ```ts
 * parseAmount('0.05', { symbol: 'ETH', field: '--eth' }) // 50000000000000000n
 * parseAmount('0', { field: '--eth' }) // throws InvalidAmountError: --eth must be greater than zero
 * ```
 */
export function parseAmount(input: string | number, parameters: ParseAmountParameters = {}): bigint {
  const { decimals = 18, symbol = '', field = 'amount' } = parameters
  const text = String(input).trim()
  const unit = symbol ? ` ${symbol}` : ''
  const example = `e.g. ${field} 0.05`
  if (text === '')
    throw new InvalidAmountError(`${field} is empty.`, { metaMessages: [`Give a positive decimal amount${unit}, ${example}.`], code: 'AMOUNT_EMPTY' })
  if (text.startsWith('-'))
    throw new InvalidAmountError(`${field} is negative (${text}).`, {
      metaMessages: [`Give a positive decimal amount${unit}, ${example}.`],
      code: 'AMOUNT_NEGATIVE',
    })
  if (!DECIMAL.test(text)) {
    throw new InvalidAmountError(`${field} is not a decimal number (${JSON.stringify(text)}).`, {
      metaMessages: [`Use digits and one dot only (no exponent, no thousands separator), ${example}.`],
      code: 'AMOUNT_NOT_NUMERIC',
    })
  }
  const fraction = text.split('.')[1] ?? ''
  if (fraction.length > decimals) {
    throw new InvalidAmountError(`${field} has ${fraction.length} decimals; ${symbol || 'this token'} has only ${decimals}.`, {
      metaMessages: [`Round ${field} to at most ${decimals} decimal places.`],
      code: 'AMOUNT_TOO_PRECISE',
    })
  }
  const value = parseUnits(text, decimals)
  if (value === 0n)
    throw new InvalidAmountError(`${field} must be greater than zero.`, { metaMessages: [`Give a positive amount${unit}, ${example}.`], code: 'AMOUNT_ZERO' })
  return value
}

/**
 * Checks an amount already in base units: a bigint greater than zero.
 *
 * @example
 * ```ts
 * assertPositiveAmount(1n, 'amount') // ok
 * assertPositiveAmount(0n, 'amount') // throws InvalidAmountError
 * ```
 */
export function assertPositiveAmount(value: unknown, field: string): asserts value is bigint {
  if (typeof value !== 'bigint') {
    throw new InvalidAmountError(`${field} must be a bigint in base units (got ${typeof value}).`, {
      metaMessages: [`Convert decimals with parseAmount('0.05') before calling.`],
      code: 'AMOUNT_NOT_BIGINT',
    })
  }
  if (value <= 0n) {
    throw new InvalidAmountError(`${field} must be greater than zero (got ${value}).`, {
      metaMessages: [`Pass a positive amount for ${field}.`],
      code: value === 0n ? 'AMOUNT_ZERO' : 'AMOUNT_NEGATIVE',
    })
  }
}

/**
 * Validates and checksums an address.
 *
 * @example
 * ```ts
 * parseAddress('0xacfe6019ed1a7dc6f7b508c02d1b04ec88cc21bf') // '0xacfE6019Ed1A7Dc6f7B508C02d1b04ec88cC21bf'
 * parseAddress('0x123') // throws InvalidAddressError
 * ```
 */
export function parseAddress(input: string, field = 'address'): Address {
  const text = input.trim()
  if (!isAddress(text, { strict: false })) {
    throw new InvalidAddressError(`${field} is not a valid address (${JSON.stringify(text.slice(0, 50))}).`, {
      metaMessages: [`Give 0x followed by 40 hex characters for ${field}.`],
      code: 'ADDRESS_INVALID',
    })
  }
  // A mixed-case address with a wrong checksum is a typo, not an address.
  if (text !== text.toLowerCase() && text.slice(2) !== text.slice(2).toUpperCase() && !isAddress(text, { strict: true })) {
    throw new InvalidAddressError(`${field} has an invalid checksum (${text}).`, {
      metaMessages: [`Copy ${field} again, or write it all in lower case.`],
      code: 'ADDRESS_CHECKSUM',
    })
  }
  return getAddress(text)
}

/**
 * Formats base units as a decimal string for output (`--json` and text).
 *
 * @example
 * ```ts
 * formatAmount(50000000000000000n) // '0.05'
 * ```
 */
export function formatAmount(value: bigint, decimals = 18): string {
  return formatUnits(value, decimals)
}

/**
 * Formats base units for people: at most `digits` decimals (truncated), trailing zeros dropped.
 *
 * @example
 * ```ts
 * formatShort(20099997990000202196n) // '20.0999'
 * ```
 */
export function formatShort(value: bigint, digits = 4, decimals = 18): string {
  const [whole, frac = ''] = formatUnits(value, decimals).split('.')
  const kept = frac.slice(0, digits).replace(/0+$/, '')
  return kept ? `${whole}.${kept}` : whole!
}

/** `value × (10_000 − bps) / 10_000`, rounded down: the least acceptable output under a slippage bound. */
export function applySlippageDown(value: bigint, bps: number): bigint {
  return (value * BigInt(10_000 - bps)) / 10_000n
}

/** `value × (10_000 + bps) / 10_000`, rounded up: an input padded for a slippage bound. */
export function applySlippageUp(value: bigint, bps: number): bigint {
  return (value * BigInt(10_000 + bps) + 9_999n) / 10_000n
}
