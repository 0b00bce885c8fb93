import { z } from 'zod'
import { HOUR_MS, roundFigure } from '../../status/figures.js'
import { msToNextReset } from '../../status/epochRunway.js'
import { keyFigures } from '../../status/runway.js'
import { defineTool } from '../defineTool.js'

/**
 * `get_wallet_balances`: the agent's on-chain balances (ETH, VVV, sVVV, DIEM), read through an injected
 * function so the lead wires the real wallet (`getBalances(wallet)` formatted for humans).
 *
 * @example
 * ```ts
 * const tool = walletBalancesTool({ getBalances: async () => ({ eth: '0.5', vvv: '0', svvv: '120', diemStaked: '1' }) })
 * ```
 */
export function walletBalancesTool(deps: { getBalances: () => Promise<Record<string, unknown>> }) {
  return defineTool({
    name: 'get_wallet_balances',
    description: "Returns the agent wallet's balances on Base: ETH, VVV, staked VVV (sVVV) and DIEM, as decimal strings.",
    schema: z.object({}),
    handler: () => deps.getBalances(),
  })
}

/**
 * What `get_runway` reads: the agent's balance monitor fits it. Declared here, as a port, so that src/tools
 * imports nothing from src/agent (which imports src/tools).
 */
export type RunwaySource = {
  snapshot(): {
    balanceDiem: number | undefined
    balanceUsd: number | undefined
    spendable: number | undefined
    burnPerHour: number
    runwayHours: number
    nextEpochBegins: number | undefined
    level: 'ok' | 'low' | 'critical' | 'exhausted'
  }
}

/**
 * `get_runway`: what this agent's key can still spend (min(what its own limit leaves this period, the account's
 * balance)), its burn rate and runway, as the status model computes them for `gondola status` (re-read from Venice
 * first when the host can). Diem comes back at each epoch reset (00:00 UTC, or Venice's `nextEpochBegins`), so the
 * result also says when the next reset is and whether the balance runs dry before it: a runway longer than the time
 * to the reset is a floor, not a forecast (what comes after depends on the next epoch's allowance).
 *
 * @example
 * ```ts
 * const tool = runwayTool({ monitor, refresh: services.refreshStatus })
 * ```
 */
export function runwayTool(deps: { monitor: RunwaySource; refresh?: (() => Promise<void>) | undefined; now?: (() => number) | undefined }) {
  return defineTool({
    name: 'get_runway',
    description:
      "Returns what this agent can still spend on Venice (the lesser of its key's limit left this period and the account balance, Diem + USD), its spend rate per hour, the hours of inference left at that rate, and the hours until the Diem allowance resets (emptiesBeforeReset: whether it runs dry first).",
    schema: z.object({}),
    handler: async () => {
      await deps.refresh?.().catch(() => undefined)
      const s = deps.monitor.snapshot()
      const f = keyFigures({ spendable: s.spendable, burnPerHour: s.burnPerHour })
      const now = (deps.now ?? Date.now)()
      const resetsInHours = Math.max(0, (s.nextEpochBegins ?? msToNextReset(now) + now) - now) / HOUR_MS
      return {
        balanceDiem: s.balanceDiem === undefined ? null : roundFigure(s.balanceDiem),
        balanceUsd: s.balanceUsd === undefined ? null : roundFigure(s.balanceUsd),
        spendable: f.spendable,
        burnPerHour: f.burnPerHour,
        runwayHours: f.runwayHours ?? (f.state === 'idle' ? 'unlimited at the current rate' : null),
        resetsInHours: roundFigure(resetsInHours),
        emptiesBeforeReset: s.runwayHours < resetsInHours,
        level: s.level,
      }
    },
  })
}
