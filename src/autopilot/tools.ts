/**
 * The model variant's tools: `autopilot_plan` (read the plan) and `autopilot_apply` (carry it out). Neither
 * takes an amount or a target: the target comes from configuration (`GONDOLA_AUTOPILOT_*`), the planner chooses
 * the actions, and the wallet's spend policy decides. The model can only ask.
 */
import { z } from 'zod'
import { BaseError } from '../errors/BaseError.js'
import { defineTool } from '../tools/defineTool.js'
import type { AutopilotConfig } from './fromEnv.js'
import { planRows } from './format.js'
import { runAutopilotPass } from './pass.js'

/** How a host hands the configured autopilot to its tools (resolved on first use). */
export type AutopilotProvider = () => Promise<AutopilotConfig>

/**
 * @example
 * ```ts
 * const [plan, apply] = autopilotTools(() => autopilotConfig(env, wallet))
 * ```
 */
export function autopilotTools(provider: AutopilotProvider | undefined) {
  const pass = async (mode: 'plan' | 'run') => {
    if (!provider) return 'The autopilot is not configured on this host: nothing was planned or sent.'
    try {
      const r = await runAutopilotPass({ ...(await provider()), mode })
      const rows = planRows(r.plan).map((x) => ({ action: x.action, input: x.input, cost: x.cost, diemPerDayGained: x.diemPerDay }))
      return JSON.stringify({
        target: Number(r.entry.target),
        reached: r.reached,
        diemPerDayAfter: r.entry.projectedAfter,
        steps: rows,
        sent: r.execution?.hashes.length ?? 0,
        message: r.message,
      })
    } catch (err) {
      if (err instanceof BaseError) return `Nothing more was sent: ${[err.shortMessage, ...err.metaMessages].join(' ')}`
      throw err
    }
  }
  const plan = defineTool({
    name: 'autopilot_plan',
    description: 'Shows the cheapest plan to hold the configured Diem-per-day target (actions, cost in ETH, Diem/day gained). Sends nothing.',
    schema: z.object({}),
    handler: () => pass('plan'),
  })
  const apply = defineTool({
    name: 'autopilot_apply',
    description:
      'Carries out the autopilot plan for the configured Diem-per-day target, under the wallet spend policy (which may refuse). Returns what was done and, if short, what is missing.',
    schema: z.object({}),
    handler: () => pass('run'),
  })
  return [plan, apply] as const
}
