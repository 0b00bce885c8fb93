import { join } from 'node:path'
import { readLedger } from '../agent/ledger.js'
import type { RailCosts } from '../agent/fundingRail.js'
import { compareRailsNow } from '../autopilot/railPass.js'
import { usageFromLedger } from '../autopilot/usage.js'
import type { Env } from '../config/env.js'
import type { Wallet } from '../wallet/createWallet.js'
import { autopilotConfig } from './autopilotConfig.js'

/** Days of ledger the usage is measured over, and the horizon the rails are compared over when none is set. */
const USAGE_DAYS = 7
const DEFAULT_HORIZON_DAYS = 30

/**
 * For `funding.rail: 'auto'`: the rails' costs for this state dir's measured usage (the spend ledger's last 7
 * days), over `GONDOLA_AUTOPILOT_HORIZON_DAYS` (30 when it is 0) — the figures `gondola autopilot plan --rails
 * diem,x402` prints. No calls measured yet: nothing to price (both undefined, so the Diem rail).
 *
 * @example
 * ```ts
 * createAgentHost({ …, funding, railCosts: env.GONDOLA_FUNDING_RAIL === 'auto' ? railCostsFromEnv(env, wallet) : undefined })
 * ```
 */
export function railCostsFromEnv(env: Env, wallet: Wallet): () => Promise<RailCosts> {
  return async () => {
    const usage = usageFromLedger(await readLedger(join(env.GONDOLA_STATE_DIR, 'ledger.jsonl')), { now: Date.now(), days: USAGE_DAYS })
    if (usage.calls === 0) return { diem: undefined, x402: undefined }
    const config = await autopilotConfig(env, wallet)
    const horizonDays = config.horizonDays && config.horizonDays > 0 ? config.horizonDays : DEFAULT_HORIZON_DAYS
    return (await compareRailsNow({ ...config, usageDiemPerDay: usage.diemPerDay, horizonDays, rails: ['diem', 'x402'] })).costs
  }
}
