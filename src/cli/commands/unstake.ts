import { defineCommand } from 'citty'
import { finalizeUnstake } from '../../wallet/actions/finalizeUnstake.js'
import { initiateUnstake } from '../../wallet/actions/initiateUnstake.js'
import { amountFlag, fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

const when = (s: bigint) => new Date(Number(s) * 1000).toISOString()

const start = defineCommand({
  meta: { name: 'start', description: 'Start unstaking sVVV (its VVV cools down, 7 days on mainnet)' },
  args: { vvv: { type: 'string', description: 'sVVV to unstake, e.g. 5' }, ...moneyArgs },
  async run({ args }) {
    const amount = amountFlag(args.vvv, '--vvv', 'sVVV')
    await runMoneyCommand(
      args,
      'Starting unstake',
      (w) => initiateUnstake(w, { amount }),
      (r) =>
        `${r.status === 'planned' ? 'Would start' : 'Started'} unstaking ${fmt(r.amount)} sVVV${r.status === 'confirmed' ? `; finish after ${when(r.cooldownEnd)}` : ''}${r.hash ? ` tx ${r.hash}` : ''}`,
    )
  },
})

const finish = defineCommand({
  meta: { name: 'finish', description: 'Collect the VVV of a finished unstake cooldown' },
  args: { ...moneyArgs },
  async run({ args }) {
    await runMoneyCommand(
      args,
      'Finishing unstake',
      (w) => finalizeUnstake(w),
      (r) => `${r.status === 'planned' ? 'Would receive' : 'Received'} ${fmt(r.amount)} VVV${r.hash ? ` tx ${r.hash}` : ''}`,
    )
  },
})

/** `gondola unstake start --vvv <amount>` / `gondola unstake finish`. */
export default defineCommand({
  meta: { name: 'unstake', description: 'Unstake sVVV in two steps: start, then finish after the cooldown' },
  subCommands: { start, finish },
})
