import { defineCommand } from 'citty'
import { swapEthForVvv } from '../../wallet/actions/swapEthForVvv.js'
import { describeComparison } from '../../wallet/routes/describeComparison.js'
import { amountFlag, fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

/** `gondola swap --eth <amount>`: ETH → VVV on the best route, under the spend policy. */
export default defineCommand({
  meta: { name: 'swap', description: 'Swap ETH for VVV on the best venue net of gas (Uniswap V3 tiers, Aerodrome; slippage and caps from the spend policy)' },
  args: { eth: { type: 'string', description: 'ETH to spend, e.g. 0.01' }, ...moneyArgs },
  async run({ args }) {
    const amountIn = amountFlag(args.eth, '--eth', 'ETH')
    await runMoneyCommand(
      args,
      'Swapping ETH → VVV',
      (w) => swapEthForVvv(w, { amountIn }),
      (r) =>
        [
          `${r.status === 'planned' ? 'Would swap' : 'Swapped'} ${fmt(r.amountIn)} ETH for ${fmt(r.amountOut)} VVV on ${r.route}${r.fee ? ` (fee tier ${r.fee})` : ''} (min ${fmt(r.amountOutMinimum)})${r.hash ? ` tx ${r.hash}` : ''}${r.resumed ? ' (resumed)' : ''}`,
          ...(r.status === 'planned' && r.comparison ? describeComparison(r.comparison).map((line) => `  ${line}`) : []),
        ].join('\n'),
    )
  },
})
