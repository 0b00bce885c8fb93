/**
 * One unwind pass (`gondola autopilot plan|run --unwind`): measure, plan what the chain allows now towards the
 * lower target, and (run only, under the pass lock) carry it out through the wallet actions.
 */
import type { Hex } from 'viem'
import type { BaseError } from '../errors/BaseError.js'
import { formatShort } from '../wallet/amounts.js'
import { measureAllowance, type Measurement } from './measure.js'
import type { AutopilotPassParameters } from './pass.js'
import { executeUnwind, planUnwind, type UnwindPlan, type UnwindStep } from './unwind.js'

export type UnwindPassResult = {
  mode: 'run' | 'plan'
  measurement: Measurement
  plan: UnwindPlan
  sent: { done: UnwindStep[]; hashes: Hex[]; error: BaseError | undefined } | undefined
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
    const m = await measureAllowance({ wallet: p.wallet, store: p.store, venice: p.venice, minStakedDiem: p.minStakedDiem, now: p.now })
    const plan = await planUnwind(p.wallet, m, p.target)
    if (p.mode === 'plan' || !plan.steps.length) return { mode: p.mode, measurement: m, plan, sent: undefined, message: plan.message }
    const sent = await executeUnwind(p.wallet, plan.steps)
    const message = `${plan.message}${sent.error ? ` Stopped at a refusal: ${sent.error.shortMessage}` : ''}`
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
