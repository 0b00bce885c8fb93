import { z } from 'zod'
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
 * `get_runway`: spendable Diem/USD, burn rate and runway from the balance monitor (no extra request). Diem
 * comes back at each epoch reset (00:00 UTC, or Venice's `nextEpochBegins`), so the result also says when the
 * next reset is and whether the balance runs dry before it: a runway longer than the time to the reset is a
 * floor, not a forecast (what comes after depends on the next epoch's allowance).
 *
 * @example
 * ```ts
 * const tool = runwayTool({ monitor })
 * ```
 */
export function runwayTool(deps: { monitor: RunwaySource; now?: (() => number) | undefined }) {
  return defineTool({
    name: 'get_runway',
    description:
      'Returns the Venice balance of this agent (Diem and USD), its spend rate per hour, the hours of inference left at that rate, and the hours until the Diem allowance resets (emptiesBeforeReset: whether it runs dry first).',
    schema: z.object({}),
    handler: () => {
      const s = deps.monitor.snapshot()
      const now = (deps.now ?? Date.now)()
      const resetsInHours = Math.max(0, (s.nextEpochBegins ?? (Math.floor(now / DAY_MS) + 1) * DAY_MS) - now) / 3_600_000
      return {
        balanceDiem: s.balanceDiem === undefined ? null : round(s.balanceDiem),
        balanceUsd: s.balanceUsd === undefined ? null : round(s.balanceUsd),
        spendable: s.spendable === undefined ? null : round(s.spendable),
        burnPerHour: round(s.burnPerHour),
        runwayHours: Number.isFinite(s.runwayHours) ? round(s.runwayHours) : 'unlimited at the current rate',
        resetsInHours: round(resetsInHours),
        emptiesBeforeReset: s.runwayHours < resetsInHours,
        level: s.level,
      }
    },
  })
}

const DAY_MS = 86_400_000

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6
}
