import { defineCommand } from 'citty'
import { formatUnits } from 'viem'
import { USDC_DECIMALS } from '../../chain/abis/usdc.js'
import { swapEthForToken, type SwapEthForTokenReturnType } from '../../wallet/actions/swapEthForToken.js'
import { describeComparison } from '../../wallet/routes/describeComparison.js'
import { enumFlag } from '../flags.js'
import { formatAmount } from '../format.js'
import { amountFlag, fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

/** `gondola swap --eth <amount> [--to vvv|usdc]`: ETH → VVV (or USDC) on the best route, under the spend policy. */
export default defineCommand({
  meta: {
    name: 'swap',
    description:
      'Swap ETH for VVV (or USDC with --to usdc) on the best venue net of gas (Uniswap V3 tiers, Aerodrome; slippage and caps from the spend policy)',
  },
  args: {
    eth: { type: 'string', description: 'ETH to spend, e.g. 0.01' },
    to: { type: 'string', description: 'Token to buy: vvv (default) or usdc' },
    ...moneyArgs,
  },
  async run({ args }) {
    const token = enumFlag(args.to, '--to', ['VVV', 'USDC']) ?? 'VVV'
    const amountIn = amountFlag(args.eth, '--eth', 'ETH')
    const out = (v: bigint | undefined) => (token === 'USDC' ? formatAmount(v ?? 0n, USDC_DECIMALS) : fmt(v))
    await runMoneyCommand(
      args,
      `Swapping ETH → ${token}`,
      (w) => swapEthForToken(w, { token, amountIn }),
      (r) =>
        [
          `${r.status === 'planned' ? 'Would swap' : 'Swapped'} ${fmt(r.amountIn)} ETH for ${out(r.amountOut)} ${token} on ${r.route}${r.fee ? ` (fee tier ${r.fee})` : ''} (min ${out(r.amountOutMinimum)})${r.hash ? ` tx ${r.hash}` : ''}${r.resumed ? ' (resumed)' : ''}`,
          ...(r.status === 'planned' && r.comparison ? describeComparison(r.comparison).map((line) => `  ${line}`) : []),
        ].join('\n'),
      usdcAsDecimals,
    )
  },
})

/** A USDC swap's outputs are 6-decimal: as decimal strings for `--json` (which reads bigints as 18-decimal). */
function usdcAsDecimals(r: SwapEthForTokenReturnType): unknown {
  if (r.token !== 'USDC') return r
  const usdc = (v: bigint | undefined) => (v === undefined ? undefined : formatUnits(v, USDC_DECIMALS))
  const candidate = <Q extends { amountOut: bigint; net: bigint }>(q: Q) => ({ ...q, amountOut: usdc(q.amountOut), net: usdc(q.net) })
  return {
    ...r,
    amountOut: usdc(r.amountOut),
    amountOutMinimum: usdc(r.amountOutMinimum),
    comparison: r.comparison && { ...r.comparison, candidates: r.comparison.candidates.map(candidate), best: candidate(r.comparison.best) },
  }
}
