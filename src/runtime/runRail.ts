/**
 * How a `gondola run` pays, decided once at its start: on the Diem rail (the agent's own API key; its top-ups
 * swap ETH → VVV and stake) or on the x402 rail (SIWX, no API key; its top-ups buy USDC credits). The rail
 * decides both, so a run never tops up on a rail it does not spend. `--pay` wins; else `funding.rail` (the agent
 * definition's, else `GONDOLA_FUNDING_RAIL`): `diem`, `x402`, or `auto` — the planner's comparison
 * (`compareRailsNow`) for the agent's measured usage (its spend-ledger calls over the last 7 days) over
 * `GONDOLA_AUTOPILOT_HORIZON_DAYS` (30 days when it is 0, the default), and `chooseRail` on its costs.
 */
import { formatUnits } from 'viem'
import { chooseRail, type FundingRail, type PaymentRail, type RailCosts } from '../agent/fundingRail.js'
import { ledgerPathIn, readLedger } from '../agent/ledger.js'
import { compareRailsNow } from '../autopilot/railPass.js'
import { usageFromLedger } from '../autopilot/usage.js'
import type { Env } from '../config/env.js'
import type { Wallet } from '../wallet/createWallet.js'
import { autopilotConfig } from './autopilotConfig.js'

/** Days of ledger the usage is measured over (as `gondola autopilot plan --rails` does). */
export const RUN_RAIL_USAGE_DAYS = 7
/** The horizon the rails are compared over when `GONDOLA_AUTOPILOT_HORIZON_DAYS` is 0 (unset). */
export const RUN_RAIL_DEFAULT_HORIZON_DAYS = 30

export type RunRail = {
  rail: PaymentRail
  /** What decided it: the `--pay` flag or the `funding.rail` setting. */
  decidedBy: '--pay' | FundingRail
  /** One line for people: the rail and why (with the costs, for `auto`). */
  why: string
  /** For `auto` with measured usage: what was compared (costs in USDC base units, usage in Diem wei per day). */
  comparison?: { usageDiemPerDay: bigint; horizonDays: number; costs: RailCosts } | undefined
}

export type DecideRunRailParameters = {
  /** `--pay`, when given. */
  pay?: PaymentRail | undefined
  /** `funding.rail` as resolved (`fundingPolicyFromEnv(env, def.funding).rail`). */
  setting: FundingRail | undefined
  agent: string
}

/**
 * @example
 * ```ts
 * const r = await decideRunRail(env, wallet, { setting: 'auto', agent: 'treasurer' })
 * r.rail // 'x402' for 50 Diem/day over 1 day; 'diem' for 0.05 Diem/day over 30 days
 * ```
 */
export async function decideRunRail(env: Env, wallet: Wallet, p: DecideRunRailParameters): Promise<RunRail> {
  if (p.pay) return { rail: p.pay, decidedBy: '--pay', why: `--pay ${p.pay}` }
  const setting = p.setting ?? 'diem'
  if (setting !== 'auto') return { rail: setting, decidedBy: setting, why: `funding.rail is ${setting}` }
  const usage = usageFromLedger(await readLedger(ledgerPathIn(env.GONDOLA_STATE_DIR)), {
    now: Date.now(),
    days: RUN_RAIL_USAGE_DAYS,
    agent: p.agent,
  })
  if (usage.calls === 0)
    return { rail: 'diem', decidedBy: 'auto', why: `funding.rail is auto and ${p.agent} has no calls in the last ${RUN_RAIL_USAGE_DAYS} days to price` }
  const config = await autopilotConfig(env, wallet)
  const horizonDays = config.horizonDays && config.horizonDays > 0 ? config.horizonDays : RUN_RAIL_DEFAULT_HORIZON_DAYS
  // A comparison that cannot be made now (a dropped RPC) runs on the Diem rail, saying so: it never blocks a run.
  const priced = await compareRailsNow({ ...config, usageDiemPerDay: usage.diemPerDay, horizonDays, rails: ['diem', 'x402'] }).catch(
    (err: unknown) => err as Error,
  )
  if (priced instanceof Error)
    return {
      rail: 'diem',
      decidedBy: 'auto',
      why: `funding.rail is auto and the rails could not be priced now (${(priced as { shortMessage?: string }).shortMessage ?? priced.name})`,
    }
  const { costs } = priced
  const rail = chooseRail('auto', costs)
  const usd = (v: bigint | undefined) => (v === undefined ? 'unpriced' : `$${Number(formatUnits(v, 6)).toFixed(2)}`)
  const why =
    `funding.rail is auto: ${Number(Number(formatUnits(usage.diemPerDay, 18)).toFixed(6))} Diem/day over ${horizonDays} d costs ` +
    `${usd(costs.diem)} staked (diem) vs ${usd(costs.x402)} in x402 credits`
  return { rail, decidedBy: 'auto', why, comparison: { usageDiemPerDay: usage.diemPerDay, horizonDays, costs } }
}

/**
 * The decision as JSON (`gondola run --json`): dollars as decimal strings.
 *
 * @example
 * ```ts
 * runRailJson(await decideRunRail(env, wallet, { pay: 'x402', setting: 'auto', agent: 'treasurer' })) // { rail: 'x402', decidedBy: '--pay', why: '--pay x402' }
 * ```
 */
export function runRailJson(r: RunRail) {
  const c = r.comparison
  const usd = (v: bigint | undefined) => (v === undefined ? null : formatUnits(v, 6))
  return {
    rail: r.rail,
    decidedBy: r.decidedBy,
    why: r.why,
    ...(c
      ? { usageDiemPerDay: formatUnits(c.usageDiemPerDay, 18), horizonDays: c.horizonDays, costsUsd: { diem: usd(c.costs.diem), x402: usd(c.costs.x402) } }
      : {}),
  }
}
