/**
 * The status model: a key's spendable amount (min(what its limit leaves this period, the account's balance)), its
 * burn rate, runway and the time to the reset. The only place those figures are computed; the CLI, the agent's
 * tools, MCP, the dashboard, metrics and the self-funding fetch read them and format.
 */
export { burnPerHour, type BurnRateParameters } from './burnRate.js'
export { collectStatus, statusJson, type StatusData, type StatusSources } from './collectStatus.js'
export { epochOf, withEpoch, type AllowanceProjection, type EpochInfo, type KeyRunwayAcrossReset } from './epoch.js'
export { epochRunway, msToNextReset, type EpochRunway, type EpochRunwayParameters } from './epochRunway.js'
export { DEFAULT_BURN_WINDOW_MS, FIGURE_DECIMALS, HOUR_MS, roundFigure } from './figures.js'
export { keyRunways, type KeyRunway, type KeyRunwaysParameters } from './keyRunways.js'
export { keyFigures, runwayHours, type KeyFigures, type RunwayState } from './runway.js'
export { keyLimitLeft, spendableOf, type KeyLimitLeftParameters, type SpendableParameters } from './spendable.js'
export { isX402Spend, type SpendEntry } from './spendEntry.js'
export { windowBurn } from './windowBurn.js'
export { x402Runways, type X402Runway, type X402Runways } from './x402Runway.js'
export { createX402CreditsTracker, usdcHeldUsd, x402CreditsFigure, type X402CreditsFigure, type X402CreditsReport } from './x402Credits.js'
export { collectX402Status, type X402Status } from './collectX402Status.js'
