/**
 * Which rail an agent's compute is paid on: `diem` (hold a daily Diem allowance by staking VVV/DIEM; top-ups
 * swap ETH → VVV and stake), `x402` (pay per call from prepaid USDC credits; top-ups buy credits with an x402
 * payment) or `auto` (the cheaper of the two for the measured usage, as the planner prices them:
 * `compareRails` in src/autopilot/rails.ts). The setting is `funding.rail` (`GONDOLA_FUNDING_RAIL`); the choice
 * itself is the pure `chooseRail`, so the host, the CLI and the x402 top-up read one decision.
 */
import { z } from 'zod'

/** The rails a top-up can be made on. */
export const PAYMENT_RAILS = ['diem', 'x402'] as const
export type PaymentRail = (typeof PAYMENT_RAILS)[number]

/** Zod schema of the `funding.rail` setting. */
export const fundingRailSchema = z.enum(['diem', 'x402', 'auto'])
export type FundingRail = z.infer<typeof fundingRailSchema>

/**
 * The cost of covering the same usage over the same horizon on each rail, in one unit (the planner gives USD
 * in USDC base units). `undefined`: that rail cannot be priced or cannot be reached (no USDC route, not enough
 * capital to stake for the usage).
 */
export type RailCosts = { diem: bigint | undefined; x402: bigint | undefined }

/**
 * The rail to top up on. A fixed setting wins; `auto` takes the cheaper rail, the one that can be priced when
 * only one can, and `diem` (the rail every Gondola agent has) on a tie or when neither can.
 *
 * @example
 * ```ts
 * chooseRail('auto', { diem: 1_230_000n, x402: 5_010_000n }) // 'diem'
 * chooseRail('auto', { diem: undefined, x402: 5_010_000n }) // 'x402'
 * chooseRail('x402', { diem: 1n, x402: 9n }) // 'x402'
 * ```
 */
export function chooseRail(setting: FundingRail, costs: RailCosts): PaymentRail {
  if (setting !== 'auto') return setting
  if (costs.x402 === undefined) return 'diem'
  if (costs.diem === undefined) return 'x402'
  return costs.x402 < costs.diem ? 'x402' : 'diem'
}
