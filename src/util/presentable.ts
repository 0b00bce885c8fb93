// ox's `Value.format` is viem's `formatUnits` (ox is viem's primitives library), without loading viem's ~1,000
// modules into every command that prints (issue #25: `gondola wallet address`).
import { format as formatUnits } from 'ox/Value'

/** bigint fields that are counts, times, gas units or wei rather than 18-decimal token amounts: integers. */
const INTEGERS = new Set(['gas', 'gasUsed', 'gasCostWei', 'timestamp', 'end', 'cooldownEnd', 'blockNumber', 'nonce', 'fee'])
/** Per-gas prices: shown in gwei, under a key that names the unit. */
const PER_GAS = new Map([
  ['baseFee', 'baseFeeGwei'],
  ['maxFeePerGas', 'maxFeePerGasGwei'],
  ['maxPriorityFeePerGas', 'maxPriorityFeePerGasGwei'],
])

/**
 * Makes a result printable and JSON-safe: token amounts as decimal strings, gas as an integer, costs in wei and
 * per-gas prices in gwei (the unit in the key's name), receipts and raw calls dropped. The one presenter of the CLI's
 * `--json`, the status model (which the dashboard serves) and MCP tool results, so every surface prints alike.
 *
 * @example
 * ```ts
 * presentable({ amountIn: 10n ** 16n, gas: 150000n, baseFee: 1_500_000_000n })
 * // { amountIn: '0.01', gas: '150000', baseFeeGwei: '1.5' }
 * ```
 */
export function presentable(value: unknown, key = ''): unknown {
  if (typeof value === 'bigint') return INTEGERS.has(key) ? value.toString() : PER_GAS.has(key) ? formatUnits(value, 9) : formatUnits(value, 18)
  if (Array.isArray(value)) return value.map((v) => presentable(v))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== 'receipt' && k !== 'call' && v !== undefined)
        .map(([k, v]) => [typeof v === 'bigint' ? (PER_GAS.get(k) ?? k) : k, presentable(v, k)]),
    )
  }
  return value
}
