/**
 * One autopilot pass: measure today's allowance, plan the cheapest way to the target, carry the plan out
 * under the spend policy (or only print it), measure again, and append the pass to the history.
 */
import { randomBytes } from 'node:crypto'
import { formatEther } from 'viem'
import type { Wallet } from '../wallet/createWallet.js'
import { AutopilotShortError } from './errors.js'
import { executePlan, type ExecuteReturnType } from './execute.js'
import { appendHistory, readHistory, type HistoryEntry } from './history.js'
import { readMarket } from './market.js'
import { DAY_MS, measureAllowance, type AllowanceSource, type Measurement } from './measure.js'
import { planToTarget, type Plan } from './planner.js'
import { interruptedPasses, passKey } from './recover.js'
import { epochRunway, type EpochRunway } from './runway.js'
import type { AutopilotStore } from './store.js'
import { excessMessage, excessOf, type Excess } from './unwind.js'

export type AutopilotPassParameters = {
  wallet: Wallet
  store: AutopilotStore
  /** Venice with an ADMIN key: today's allocation, spend and reset. Without it only the chain is measured. */
  venice?: AllowanceSource | undefined
  /** Spendable Diem per day to hold (base units). */
  target: bigint
  minClaimVvv: bigint
  /** The staked-DIEM rule (0n: off). */
  minStakedDiem: bigint
  /** Days over which the VVV yield minting gives up counts in the choice (0 or undefined: shown, not counted). */
  horizonDays?: number | undefined
  /** `plan`: print only (nothing is sent, nothing learned is lost); `run`: carry it out. */
  mode: 'run' | 'plan'
  now?: (() => number) | undefined
  /** Stops the pass between plan steps (the step in hand is finished, the pass recorded). */
  signal?: AutopilotStop | undefined
}

/** How a pass is told to stop: the abort signal, and an optional notice of the step in hand. */
export type AutopilotStop = { signal: AbortSignal; doing?: ((what: string) => () => void) | undefined }

export type AutopilotPassResult = {
  mode: 'run' | 'plan'
  measurement: Measurement
  plan: Plan
  execution: ExecuteReturnType | undefined
  /** Spendable Diem/day from the next reset after this pass (= the plan's `after` in plan mode). */
  projectedAfter: bigint
  reached: boolean
  runway: EpochRunway | undefined
  /** Capital held above the target (before this pass), or undefined. */
  excess: Excess | undefined
  entry: HistoryEntry
  message: string
  /** True when a stop signal ended the pass before its plan was carried out. */
  stopped: boolean
}

/**
 * @example
 * ```ts
 * const pass = await runAutopilotPass({ wallet, store, venice, target: parseEther('1.5'), minClaimVvv: parseEther('1'), minStakedDiem: parseEther('0.1'), mode: 'run' })
 * if (!pass.reached) throw shortError(pass) // exit code 6
 * ```
 */
export async function runAutopilotPass(p: AutopilotPassParameters): Promise<AutopilotPassResult> {
  return p.mode === 'run' ? p.store.withPassLock(() => pass(p), p.signal?.signal) : pass(p)
}

async function pass(p: AutopilotPassParameters): Promise<AutopilotPassResult> {
  // A pass that was killed before it wrote its line is recorded now, from the wallet journal.
  if (p.mode === 'run')
    for (const e of interruptedPasses(await readHistory(p.store.historyPath), p.wallet.journal.runs())) await appendHistory(p.store.historyPath, e)
  const measure = () => measureAllowance({ wallet: p.wallet, store: p.store, venice: p.venice, minStakedDiem: p.minStakedDiem, now: p.now })
  const m = await measure()
  const plan = await planToTarget({
    measurement: m,
    market: await readMarket(p.wallet, m),
    target: p.target,
    minClaimVvv: p.minClaimVvv,
    horizonDays: p.horizonDays,
  })
  let execution: ExecuteReturnType | undefined
  let projectedAfter = plan.after
  // Above the target: say how much capital that is, and how to release it.
  const excess = await excessOf(p.wallet, m, p.target)
  let message = plan.message + excessMessage(excess)
  let allowanceAfterPass: number | null = null
  if (p.mode === 'run' && plan.steps.length) {
    // Each pass journals its transactions under its own key, so a pass cut short is still found in the report.
    const idempotencyKey = passKey(m.now, randomBytes(3).toString('hex'))
    const stop = p.signal
    execution = await executePlan(p.wallet, plan.steps, {
      idempotencyKey,
      signal: stop?.signal,
      onStep: stop?.doing && ((step, i) => stop.doing!(`step ${i + 1} of ${plan.steps.length} (${step.action})`)),
    })
    if (execution.outcomes.length) await p.store.writeRate({ ...(await p.store.readRate()), lastActionEpoch: new Date(m.epochStart).toISOString() })
    const m2 = await measure()
    projectedAfter = m2.projected
    allowanceAfterPass = m2.venice ? round(m2.venice.allocation) : null
    if (projectedAfter < p.target) {
      // Say what is missing from where the wallet really is now (a refusal may have stopped the plan early).
      const again = await planToTarget({
        measurement: m2,
        market: await readMarket(p.wallet, m2),
        target: p.target,
        minClaimVvv: p.minClaimVvv,
        horizonDays: p.horizonDays,
      })
      message = again.message
    }
    if (execution.error) message += ` Stopped at a refusal: ${execution.error.shortMessage}`
    if (execution.stopped) message += ` ${stoppedMessage(execution, plan.steps.length)}`
  }
  const reached = projectedAfter >= p.target
  const spentPrevEpoch = p.venice?.diemSpentBetween ? await p.venice.diemSpentBetween(m.epochStart - DAY_MS, m.epochStart).catch(() => null) : null
  const runway = m.venice ? runwayOf(m, spentPrevEpoch, projectedAfter) : undefined
  const entry: HistoryEntry = {
    v: 1,
    at: new Date(m.now).toISOString(),
    epochStart: new Date(m.epochStart).toISOString(),
    mode: p.mode,
    target: num(p.target),
    allowance: m.venice ? round(m.venice.allocation) : null,
    allowanceAfterPass,
    spent: m.venice ? round(m.venice.spent) : null,
    spentPrevEpoch: spentPrevEpoch === null ? null : round(spentPrevEpoch),
    utilisation: m.venice && m.venice.allocation > 0 ? round(m.venice.spent / m.venice.allocation) : null,
    projectedBefore: num(m.projected),
    projectedAfter: num(projectedAfter),
    reached,
    actions: plan.steps.slice(0, execution ? execution.outcomes.length : plan.steps.length).map((step, i) => {
      const o = execution?.outcomes[i]
      const ethSpent = o ? o.ethSpent : step.action.startsWith('swap') ? step.amount : 0n
      return {
        action: step.action,
        amount: formatEther(o?.amount ?? step.amount),
        unit: step.unit,
        diemPerDay: num(step.diemPerDay),
        ethSpent: formatEther(ethSpent),
        gasEth: formatEther(o ? o.gasEth : step.gasEth),
      }
    }),
    ethSpent: formatEther(execution ? execution.ethSpent + execution.gasEth : plan.ethCost),
    hashes: execution?.hashes ?? [],
    runwayHours: runway ? runway.hours : null,
    message,
  }
  if (p.mode === 'run') await appendHistory(p.store.historyPath, entry)
  return { mode: p.mode, measurement: m, plan, execution, projectedAfter, reached, runway, excess, entry, message, stopped: Boolean(execution?.stopped) }
}

function stoppedMessage(e: ExecuteReturnType, total: number): string {
  const by = (e.stopped as { signal?: unknown } | undefined)?.signal
  return `Stopped${typeof by === 'string' ? ` by ${by}` : ''} after ${e.outcomes.length} of ${total} steps (${e.hashes.length} tx sent, recorded); the next pass carries on.`
}

/** Burn from the previous epoch's spend (else today's so far), against today's balance and tomorrow's allowance. */
function runwayOf(m: Measurement, spentPrevEpoch: number | null, projectedAfter: bigint): EpochRunway {
  const v = m.venice!
  const hoursIn = Math.max(1, (m.now - m.epochStart) / 3_600_000)
  const burnPerHour = spentPrevEpoch !== null && spentPrevEpoch > 0 ? spentPrevEpoch / 24 : v.spent / hoursIn
  return epochRunway({ balance: v.balance, burnPerHour, msToReset: m.nextReset - m.now, allowanceAfterReset: num(projectedAfter) })
}

/**
 * The typed error a pass that fell short ends with (exit code 6), carrying the pass's own words.
 *
 * @example
 * ```ts
 * if (!pass.reached) throw shortError(pass)
 * ```
 */
export function shortError(pass: Pick<AutopilotPassResult, 'message'>): AutopilotShortError {
  return new AutopilotShortError(pass.message, { code: 'AUTOPILOT_SHORT' })
}

const num = (v: bigint) => Math.round(Number(formatEther(v)) * 1e6) / 1e6
const round = (n: number) => Math.round(n * 1e6) / 1e6
