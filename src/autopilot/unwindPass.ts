/**
 * One unwind pass (`gondola autopilot plan|run --unwind`): measure, plan what the chain allows now towards the
 * lower target, and (run only, under the pass lock) carry it out through the wallet actions.
 */
import { formatEther, type Hex } from 'viem'
import type { BaseError } from '../errors/BaseError.js'
import { formatShort } from '../wallet/amounts.js'
import { appendHistory } from './history.js'
import { measureAllowance, type Measurement } from './measure.js'
import type { AutopilotPassParameters } from './pass.js'
import { executeUnwind, planUnwind, type UnwindPlan, type UnwindStep } from './unwind.js'

export type UnwindPassResult = {
  mode: 'run' | 'plan'
  measurement: Measurement
  plan: UnwindPlan
  sent: { done: UnwindStep[]; hashes: Hex[]; gasEth: bigint; error: BaseError | undefined } | undefined
  message: string
}

/**
 * @example
 * ```ts
 * const r = await runUnwindPass({ ...config, target: parseEther('0.5'), mode: 'plan' })
 * r.plan.steps // [{ action: 'initiateDiemUnstake', … }]
 * ```
 */
export async function runUnwindPass(p: AutopilotPassParameters): Promise<UnwindPassResult> {
  const go = async (): Promise<UnwindPassResult> => {
    const measure = () => measureAllowance({ wallet: p.wallet, store: p.store, venice: p.venice, minStakedDiem: p.minStakedDiem, now: p.now })
    const m = await measure()
    const plan = await planUnwind(p.wallet, m, p.target)
    if (p.mode === 'plan' || !plan.steps.length) return { mode: p.mode, measurement: m, plan, sent: undefined, message: plan.message }
    const sent = await executeUnwind(p.wallet, plan.steps)
    const message = `${plan.message}${sent.error ? ` Stopped at a refusal: ${sent.error.shortMessage}` : ''}`
    // The history records what was sent, like any pass (the report counts it).
    const m2 = await measure()
    const v = m.venice
    await appendHistory(p.store.historyPath, {
      v: 1,
      at: new Date(m.now).toISOString(),
      epochStart: new Date(m.epochStart).toISOString(),
      mode: 'run',
      target: num(p.target),
      allowance: v ? round(v.allocation) : null,
      allowanceAfterPass: m2.venice ? round(m2.venice.allocation) : null,
      spent: v ? round(v.spent) : null,
      spentPrevEpoch: null,
      utilisation: v && v.allocation > 0 ? round(v.spent / v.allocation) : null,
      projectedBefore: num(m.projected),
      projectedAfter: num(m2.projected),
      reached: m2.projected >= p.target,
      actions: sent.done.map((s) => ({ action: s.action, amount: formatEther(s.amount), unit: s.unit, diemPerDay: 0, ethSpent: '0', gasEth: '0' })),
      ethSpent: formatEther(sent.gasEth),
      hashes: sent.hashes,
      runwayHours: null,
      message,
    })
    return { mode: p.mode, measurement: m, plan, sent, message }
  }
  return p.mode === 'run' ? p.store.withPassLock(go) : go()
}

/**
 * The unwind as text: one line per step, then the message.
 *
 * @example
 * ```ts
 * process.stdout.write(unwindTable(r))
 * ```
 */
export function unwindTable(r: UnwindPassResult): string {
  const rows = r.plan.steps.map((s) => `  ${s.label.padEnd(36)} ${formatShort(s.amount, 6)} ${s.unit}`)
  const e = r.plan.excess
  const head = e
    ? `excess: ${formatShort(e.diemPerDay)} Diem/day above target (${formatShort(e.diem)} staked DIEM, ${formatShort(e.svvvLocked)} sVVV locked behind it, ${formatShort(e.svvv)} unlocked sVVV)`
    : 'excess: none'
  const sent = r.sent ? `sent ${r.sent.hashes.length} tx${r.sent.hashes.length ? `:\n  ${r.sent.hashes.join('\n  ')}` : ''}\n` : ''
  return `${r.mode === 'plan' ? '[dry run] nothing sent\n' : ''}${head}\n${rows.length ? `${rows.join('\n')}\n` : '  nothing to send now\n'}${sent}${r.message}\n`
}

const num = (v: bigint) => Math.round(Number(formatEther(v)) * 1e6) / 1e6
const round = (n: number) => Math.round(n * 1e6) / 1e6
