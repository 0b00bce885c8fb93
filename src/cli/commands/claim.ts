import { defineCommand } from 'citty'
import { claim } from '../../wallet/actions/claim.js'
import { claimAndStake } from '../../wallet/actions/claimAndStake.js'
import { fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

/** `gondola claim [--restake]`: collect staking rewards, optionally staking them in the same tx. */
export default defineCommand({
  meta: { name: 'claim', description: 'Claim staking rewards (as VVV, or restaked as sVVV with --restake)' },
  args: { restake: { type: 'boolean', description: 'Stake the rewards in the same transaction', default: false }, ...moneyArgs },
  async run({ args }) {
    await runMoneyCommand(
      args,
      'Claiming rewards',
      (w) => (args.restake ? claimAndStake(w) : claim(w)),
      (r) =>
        `${r.status === 'planned' ? 'Would claim' : 'Claimed'} ${fmt(r.amount)} ${args.restake ? 'VVV and restaked it' : 'VVV'}${r.hash ? ` tx ${r.hash}` : ''}`,
    )
  },
})
