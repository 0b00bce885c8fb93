/** The epoch-aware runway lives in the status model (`src/status/epochRunway.ts`); re-exported for the autopilot. */
export { epochRunway, msToNextReset, type EpochRunway, type EpochRunwayParameters } from '../status/epochRunway.js'
