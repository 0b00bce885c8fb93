import { formatEther } from 'viem'

/** bigint fields that are counts, times or gas rather than 18-decimal token amounts. */
const NOT_AMOUNTS = new Set(['gasUsed', 'timestamp', 'end', 'cooldownEnd', 'blockNumber', 'nonce', 'fee'])

/**
 * Makes a wallet result JSON-safe for a caller: token amounts as decimal strings, other bigints as integers,
 * receipts and raw calls dropped.
 *
 * @example
 * ```ts
 * presentResult({ amountIn: 10n ** 16n, gasUsed: 21000n }) // { amountIn: '0.01', gasUsed: '21000' }
 * ```
 */
export function presentResult(value: unknown, key = ''): unknown {
  if (typeof value === 'bigint') return NOT_AMOUNTS.has(key) ? value.toString() : formatEther(value)
  if (Array.isArray(value)) return value.map((v) => presentResult(v))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== 'receipt' && k !== 'call' && v !== undefined)
        .map(([k, v]) => [k, presentResult(v, k)]),
    )
  }
  return value
}
