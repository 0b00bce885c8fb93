import { defineCommand } from 'citty'
import { vvvAbi } from '../../chain/abis/index.js'
import { stakeVvv } from '../../wallet/actions/stakeVvv.js'
import { NothingToDoError } from '../../wallet/errors.js'
import { CLIError } from '../CLIError.js'
import { amountFlag, fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

/** `gondola stake [--vvv <amount>|--all]`: approve exactly what is missing (if anything), then stake. */
export default defineCommand({
  meta: { name: 'stake', description: 'Stake VVV into sVVV (exact approval only when the allowance is short)' },
  args: {
    vvv: { type: 'string', description: 'VVV to stake, e.g. 10' },
    all: { type: 'boolean', description: 'Stake all liquid VVV', default: false },
    ...moneyArgs,
  },
  async run({ args }) {
    if (args.all === (args.vvv !== undefined))
      throw new CLIError('Give exactly one of --vvv <amount> or --all.', { metaMessages: ['e.g. gondola stake --vvv 10'], code: 'CLI_BAD_FLAGS' })
    const fixed = args.all ? undefined : amountFlag(args.vvv, '--vvv', 'VVV')
    await runMoneyCommand(
      args,
      'Staking VVV',
      async (w) => {
        const amount = fixed ?? (await w.publicClient.readContract({ address: w.addresses.vvv, abi: vvvAbi, functionName: 'balanceOf', args: [w.address] }))
        if (amount === 0n)
          throw new NothingToDoError('The wallet holds no VVV to stake.', { metaMessages: ['Swap ETH for VVV first: gondola swap --eth 0.01'], code: 'NO_VVV' })
        return stakeVvv(w, { amount })
      },
      (r) =>
        `${r.status === 'planned' ? 'Would stake' : 'Staked'} ${fmt(r.amount)} VVV${r.approved ? ' (approved exactly that amount first)' : ''}${r.hashes.length ? ` tx ${r.hashes.join(', ')}` : ''}`,
    )
  },
})
