/**
 * The Diem autopilot: hold a daily compute allowance (Diem per day) at the least capital, and show it.
 * Measure (`measureAllowance`), plan (`planToTarget`), act under the spend policy (`executePlan`), remember
 * (`appendHistory`), report (`dailyReport`, `renderAutopilotChart`). `runAutopilotPass` does one whole pass.
 * `compareRails` prices the usage on both rails (staking, x402 credits) and the cheapest mix.
 */
export { AUTOPILOT_ACTIONS, ACTION_INPUT, type AutopilotAction } from './actions.js'
export { AutopilotInputError, AutopilotShortError, AutopilotStateError } from './errors.js'
export { executePlan, type ExecuteReturnType, type StepOutcome } from './execute.js'
export { planRows, planTable, type PlanRow } from './format.js'
export { appendHistory, readHistory, type HistoryEntry } from './history.js'
export { GAS_UNITS, readMarket, type Market } from './market.js'
export { DAY_MS, diemToWei, measureAllowance, veniceAllowanceSource, type AllowanceSource, type Measurement } from './measure.js'
export { runAutopilotPass, shortError, type AutopilotPassParameters, type AutopilotPassResult } from './pass.js'
export { diemPerDayPerEth, planToTarget, type Plan, type PlanStep, type Shortfall } from './planner.js'
export { learnPool, poolShare, projectAllowance, ratePerSvvv, type AllowanceModel, type StakeState } from './projection.js'
export { dailyReport, dailyTable, type DailyRow } from './report.js'
export { interruptedPasses, passKey, withInterruptedPasses } from './recover.js'
export { renderAutopilotChart } from './chart.js'
export { epochRunway, msToNextReset, type EpochRunway } from './runway.js'
export { autopilotStore, type AutopilotStore, type Observation } from './store.js'
export { parseHorizon, parseRails, parseTarget, type AutopilotConfig } from './fromEnv.js'
export {
  compareRails,
  EXIT_GAS,
  EXIT_GAS_UNITS,
  RAIL_MIX_SHARES_BPS,
  type CompareRailsParameters,
  type DiemRailCost,
  type RailComparison,
  type RailMix,
  type X402RailCost,
} from './rails.js'
export { readRailMarket, X402_MIN_TOP_UP_USDC, type RailMarket } from './railMarket.js'
export { compareRailsNow, type RailPassParameters } from './railPass.js'
export { dollars, railsJson, railsTable } from './railsFormat.js'
export { usageFromLedger, type MeasuredUsage } from './usage.js'
export { autopilotTools, type AutopilotProvider } from './tools.js'
