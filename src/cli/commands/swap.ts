import { defineCommand } from 'citty'
import { swapEthForVvv } from '../../wallet/actions/swapEthForVvv.js'
import { amountFlag, fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

/** `gondola swap --eth <amount>`: ETH → VVV on the best route, under the spend policy. */
export default defineCommand({
  meta: { name: 'swap', description: 'Swap ETH for VVV (best Uniswap V3 fee tier; slippage and caps from the spend policy)' },
  args: { eth: { type: 'string', description: 'ETH to spend, e.g. 0.01' }, ...moneyArgs },
  async run({ args }) {
    const amountIn = amountFlag(args.eth, '--eth', 'ETH')
    await runMoneyCommand(args, 'Swapping ETH → VVV', (w) => swapEthForVvv(w, { amountIn }), (r) =>
      `${r.status === 'planned' ? 'Would swap' : 'Swapped'} ${fmt(r.amountIn)} ETH for ${fmt(r.amountOut)} VVV (min ${fmt(r.amountOutMinimum)}, fee tier ${r.fee ?? '?'})${r.hash ? ` tx ${r.hash}` : ''}${r.resumed ? ' (resumed)' : ''}`,
    )
  },
})
