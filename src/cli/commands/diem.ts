import { defineCommand } from 'citty'
import { burnDiem } from '../../wallet/actions/burnDiem.js'
import { finalizeDiemUnstake } from '../../wallet/actions/finalizeDiemUnstake.js'
import { initiateDiemUnstake } from '../../wallet/actions/initiateDiemUnstake.js'
import { mintDiem } from '../../wallet/actions/mintDiem.js'
import { stakeDiem } from '../../wallet/actions/stakeDiem.js'
import { amountFlag, fmt, moneyArgs, runMoneyCommand } from '../walletCommand.js'

const diemArg = { diem: { type: 'string', description: 'DIEM amount, e.g. 1' } } as const
const verb = (planned: boolean, now: string, would: string) => (planned ? would : now)
const tx = (hash: string | undefined) => (hash ? ` tx ${hash}` : '')

const mint = defineCommand({
  meta: { name: 'mint', description: 'Lock sVVV into DIEM (slippage from the spend policy)' },
  args: { svvv: { type: 'string', description: 'sVVV to lock, e.g. 100' }, ...moneyArgs },
  async run({ args }) {
    const svvvAmount = amountFlag(args.svvv, '--svvv', 'sVVV')
    await runMoneyCommand(
      args,
      'Minting DIEM',
      (w) => mintDiem(w, { svvvAmount }),
      (r) => `${verb(r.status === 'planned', 'Minted', 'Would mint')} ${fmt(r.diemOut)} DIEM (min ${fmt(r.minOut)})${tx(r.hash)}`,
    )
  },
})

const burn = defineCommand({
  meta: { name: 'burn', description: 'Burn liquid DIEM to unlock the sVVV behind it' },
  args: { ...diemArg, ...moneyArgs },
  async run({ args }) {
    const amount = amountFlag(args.diem, '--diem', 'DIEM')
    await runMoneyCommand(
      args,
      'Burning DIEM',
      (w) => burnDiem(w, { amount }),
      (r) => `${verb(r.status === 'planned', 'Burned', 'Would burn')} ${fmt(r.amount)} DIEM${tx(r.hash)}`,
    )
  },
})

const stake = defineCommand({
  meta: { name: 'stake', description: 'Stake liquid DIEM ($1 of Venice compute per day each)' },
  args: { ...diemArg, ...moneyArgs },
  async run({ args }) {
    const amount = amountFlag(args.diem, '--diem', 'DIEM')
    await runMoneyCommand(
      args,
      'Staking DIEM',
      (w) => stakeDiem(w, { amount }),
      (r) => `${verb(r.status === 'planned', 'Staked', 'Would stake')} ${fmt(r.amount)} DIEM${tx(r.hash)}`,
    )
  },
})

const unstakeStart = defineCommand({
  meta: { name: 'start', description: 'Start unstaking DIEM (1-day cooldown)' },
  args: { ...diemArg, ...moneyArgs },
  async run({ args }) {
    const amount = amountFlag(args.diem, '--diem', 'DIEM')
    await runMoneyCommand(
      args,
      'Starting DIEM unstake',
      (w) => initiateDiemUnstake(w, { amount }),
      (r) => `${verb(r.status === 'planned', 'Started', 'Would start')} unstaking ${fmt(r.amount)} DIEM${tx(r.hash)}`,
    )
  },
})

const unstakeFinish = defineCommand({
  meta: { name: 'finish', description: 'Collect DIEM whose cooldown is over' },
  args: { ...moneyArgs },
  async run({ args }) {
    await runMoneyCommand(
      args,
      'Finishing DIEM unstake',
      (w) => finalizeDiemUnstake(w),
      (r) => `${verb(r.status === 'planned', 'Received', 'Would receive')} ${fmt(r.amount)} DIEM${tx(r.hash)}`,
    )
  },
})

/** `gondola diem mint|burn|stake|unstake start|unstake finish`. */
export default defineCommand({
  meta: { name: 'diem', description: 'DIEM: mint from sVVV, burn, stake, unstake' },
  subCommands: {
    mint,
    burn,
    stake,
    unstake: defineCommand({
      meta: { name: 'unstake', description: 'Unstake DIEM: start, then finish after the cooldown' },
      subCommands: { start: unstakeStart, finish: unstakeFinish },
    }),
  },
})
