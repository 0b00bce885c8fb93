/**
 * The plan as a table (text for `--dry-run`, rows for `--json`): action, cost, Diem/day gained, Diem/day per ETH,
 * and the VVV/day of staking yield the sVVV it locks gives up.
 */
import { formatEther } from 'viem'
import { formatShort } from '../wallet/amounts.js'
import type { AutopilotAction } from './actions.js'
import { diemPerDayPerEth, type Plan, type PlanStep } from './planner.js'

const LABEL: Record<AutopilotAction, string> = {
  restakeRewards: 'claimAndStake rewards',
  stakeDiem: 'stake liquid DIEM',
  mintDiem: 'mint DIEM from unlocked sVVV, stake it',
  stakeVvv: 'stake liquid VVV',
  stakeVvvMintDiem: 'stake liquid VVV, mint DIEM, stake it',
  swapStake: 'swap ETH→VVV, stake',
  swapStakeMintDiem: 'swap ETH→VVV, stake, mint DIEM, stake it',
}

/** One row of the plan table, amounts as decimal strings. */
export type PlanRow = {
  action: AutopilotAction
  label: string
  input: string
  cost: string
  costEth: string
  gasEth: string
  svvvLocked: string
  diemPerDay: string
  diemPerDayPerEth: number | null
  vvvForgonePerDay: string
  reason: PlanStep['reason']
}

/**
 * @example
 * ```ts
 * planRows(plan)[0] // { action: 'swapStakeMintDiem', input: '0.0151 ETH', cost: '0.0151 ETH', diemPerDay: '1.5', … }
 * ```
 */
export function planRows(plan: Plan): PlanRow[] {
  return plan.steps.map((s) => ({
    action: s.action,
    label: LABEL[s.action],
    input: `${formatShort(s.amount, 6)} ${s.unit}`,
    cost: `${formatShort(s.ethCost, 6)} ETH${s.svvvLocked > 0n ? ` + ${formatShort(s.svvvLocked, 4)} sVVV locked` : ''}`,
    costEth: formatEther(s.ethCost),
    gasEth: formatEther(s.gasEth),
    svvvLocked: formatEther(s.svvvLocked),
    diemPerDay: formatEther(s.diemPerDay),
    diemPerDayPerEth: ((v) => (v === null ? null : Math.round(v * 100) / 100))(diemPerDayPerEth(s)),
    vvvForgonePerDay: formatEther(s.vvvForgonePerDay),
    reason: s.reason,
  }))
}

/**
 * A fixed-width text table of the plan, with a total line and the plan's message.
 *
 * @example
 * ```ts
 * process.stdout.write(planTable(plan))
 * ```
 */
export function planTable(plan: Plan): string {
  const rows = planRows(plan)
  const head = ['action', 'input', 'cost', 'Diem/day gained', 'Diem/day per ETH', 'VVV/day forgone']
  const forgone = (v: bigint) => (v === 0n ? '0' : `−${formatShort(v, 4)}`)
  const body = rows.length
    ? rows.map((r, i) => [
        r.label,
        r.input,
        r.cost,
        `+${formatShort(plan.steps[i]!.diemPerDay, 4)}`,
        r.diemPerDayPerEth === null ? '—' : String(r.diemPerDayPerEth),
        forgone(plan.steps[i]!.vvvForgonePerDay),
      ])
    : [['nothing', '—', '0 ETH', '+0', '—', '0']]
  const total = [
    'total',
    '',
    `${formatShort(plan.ethCost, 6)} ETH`,
    `${formatShort(plan.before, 4)} → ${formatShort(plan.after, 4)}`,
    '',
    forgone(plan.vvvForgonePerDay),
  ]
  const all = [head, ...body, total]
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)))
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`
  const yieldNote =
    plan.vvvForgonePerDay > 0n
      ? `Locked sVVV gives up ${formatShort(plan.vvvForgonePerDay, 4)} VVV/day of staking yield (${plan.horizonDays ? `counted over ${plan.horizonDays} days when choosing` : 'not counted when choosing: --horizon 30d counts it'}).`
      : undefined
  return [line(head), sep, ...body.map(line), line(total), '', ...(yieldNote ? [yieldNote] : []), plan.message, ''].join('\n')
}
