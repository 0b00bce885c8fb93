// ox's `Value.format` is viem's `formatUnits` (ox is viem's primitives library), without loading viem's ~1,000
// modules into every command that prints (issue #25: `gondola wallet address`).
import { format as formatUnits } from 'ox/Value'

/** bigint fields that are not 18-decimal token amounts. */
const NOT_AMOUNTS = new Set(['gasUsed', 'timestamp', 'end', 'cooldownEnd', 'blockNumber', 'nonce', 'gas', 'baseFee'])

/**
 * Makes a result printable: token amounts as decimal strings, other bigints as integers, receipts dropped. Shared
 * by the CLI's `--json` and the status model (which the dashboard serves), so both print balances alike.
 *
 * @example
 * ```ts
 * presentable({ eth: 10n ** 16n, timestamp: 1700000000n }) // { eth: '0.01', timestamp: '1700000000' }
 * ```
 */
export function presentable(value: unknown, key = ''): unknown {
  if (typeof value === 'bigint') return NOT_AMOUNTS.has(key) ? value.toString() : formatUnits(value, 18)
  if (Array.isArray(value)) return value.map((v) => presentable(v))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== 'receipt' && k !== 'call' && v !== undefined)
        .map(([k, v]) => [k, presentable(v, k)]),
    )
  }
  return value
}
