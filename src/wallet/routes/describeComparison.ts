import { formatEther, formatGwei, formatUnits } from 'viem'
import type { VenueComparison } from './quoteVenues.js'
import { poolLabel } from './venues.js'

/**
 * The venue comparison for people, one line per pool, the winner starred: what `gondola swap --dry-run`
 * prints under the plan.
 *
 * @example
 * ```ts
 * describeComparison(quote.comparison!)
 * // venues, net of gas at 0.01 gwei:
 * // * uniswap-v3 fee 3000     0.01 ETH → 9.87 VVV, gas 150000 (0.0000015 ETH), net 9.868 VVV
 * //   aerodrome volatile      0.01 ETH → 9.67 VVV, gas 175000 (0.00000175 ETH), net 9.668 VVV
 * ```
 */
export function describeComparison(c: VenueComparison): string[] {
  const token = c.token ?? 'VVV'
  const out = (v: bigint) => formatUnits(v, token === 'USDC' ? 6 : 18)
  const net = (v: bigint) => (c.kind === 'exactIn' ? `${out(v)} ${token}` : `${formatEther(v)} ETH with gas`)
  return [
    `venues, net of gas at ${formatGwei(c.baseFee)} gwei:`,
    ...c.candidates.map(
      (q) =>
        `${q === c.best ? '*' : ' '} ${poolLabel(q).padEnd(22)} ${formatEther(q.amountIn)} ETH → ${out(q.amountOut)} ${token}, gas ${q.gas} (${formatEther(q.gasCostWei)} ETH), net ${net(q.net)}`,
    ),
  ]
}
