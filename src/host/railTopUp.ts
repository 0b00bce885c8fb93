/**
 * The top-up path by rail: `funding.rail` picks the Diem top-up (swap ETH → VVV, stake), the x402 top-up (USDC
 * credits) or, for `auto`, the cheaper of the two for the agent's measured usage, decided at each top-up by
 * `chooseRail` from the rails' costs (`compareRails` in src/autopilot/rails.ts prices them; the host is handed a
 * function that returns them). The x402 top-up itself is another module's: this only routes to it.
 */
import type { TopUpFn } from '../agent/funding.js'
import { chooseRail, type FundingRail, type PaymentRail, type RailCosts } from '../agent/fundingRail.js'

export type RailTopUpOptions = {
  /** `funding.rail` (unset: `diem`). */
  rail: FundingRail | undefined
  /** The Diem rail's top-up (always there). */
  diem: TopUpFn
  /** The x402 rail's top-up, when the host has one. */
  x402?: TopUpFn | undefined
  /** For `auto`: the rails' costs for the measured usage, in one unit (e.g. `(await compareRailsNow(…)).costs`). */
  costs?: (() => Promise<RailCosts>) | undefined
  /** Told which rail each top-up went to, and why (the host logs it). */
  onChoice?: ((rail: PaymentRail, why: string) => void) | undefined
}

/**
 * @example
 * ```ts
 * const topUp = createRailTopUp({ rail: 'auto', diem: createWalletTopUp({ wallet, policy }), x402: x402TopUp, costs: async () => (await compareRailsNow(p)).costs })
 * await topUp({ reason: 'runway', runwayHours: 3, spendable: 0.2 })
 * ```
 */
export function createRailTopUp(o: RailTopUpOptions): TopUpFn {
  const rail = o.rail ?? 'diem'
  return async (request) => {
    let chosen: PaymentRail
    let why: string
    if (rail !== 'auto') {
      chosen = rail
      why = `funding.rail is ${rail}`
    } else if (!o.x402) {
      chosen = 'diem'
      why = 'funding.rail is auto and this host has no x402 top-up'
    } else if (!o.costs) {
      chosen = 'diem'
      why = 'funding.rail is auto and this host cannot price the rails'
    } else {
      // A comparison that cannot be made (a dropped RPC) falls back to the Diem rail: it never blocks a top-up.
      const costs = await o.costs().catch(() => undefined)
      chosen = chooseRail('auto', costs ?? { diem: undefined, x402: undefined })
      why = costs ? `funding.rail is auto: ${chosen} is cheaper for the measured usage` : 'funding.rail is auto and the rails could not be priced now'
    }
    if (chosen === 'x402' && !o.x402)
      return { ok: false, refusal: 'funding.rail is x402, but this host has no x402 top-up: set GONDOLA_FUNDING_RAIL=diem or auto.' }
    o.onChoice?.(chosen, why)
    return chosen === 'x402' ? o.x402!(request) : o.diem(request)
  }
}
