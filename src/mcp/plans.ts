import { randomUUID } from 'node:crypto'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import type { PlannedStep } from '../wallet/send/plannedStep.js'

/** A plan id that is unknown, used, or expired. Nothing was sent. */
export class PlanNotFoundError extends BaseError {
  override name = 'PlanNotFoundError' as const
  override exitCode = ExitCode.usage
}

/** The transactions a confirm would send differ from the plan the caller saw (the chain moved). Nothing was sent. */
export class PlanChangedError extends BaseError {
  override name = 'PlanChangedError' as const
  override exitCode = ExitCode.policy
}

/** One money action planned by a dry run, waiting for the caller's confirmation. */
export type Plan = {
  id: string
  /** The tool that made it (`swap_eth_for_vvv`, …). */
  tool: string
  /** One line for people: `swap 0.01 ETH → VVV`. */
  summary: string
  steps: PlannedStep[]
  createdAt: number
  expiresAt: number
  /** Runs the action for real (on the live wallet); the result is what the caller sees. */
  execute: (idempotencyKey: string) => Promise<unknown>
  /** Re-plans (dry run) to check that what would be sent now still matches `steps`. */
  replan: () => Promise<PlannedStep[]>
}

/**
 * The pending plans of one MCP server: a dry run registers a plan, a confirm takes it exactly once.
 *
 * Hand-written because it is twenty lines of a Map with expiry; no library is needed for that.
 *
 * @example
 * ```ts
 * const plans = createPlanBook({ ttlMs: 600_000 })
 * const plan = plans.add({ tool: 'swap_eth_for_vvv', summary: 'swap 0.01 ETH', steps, execute, replan })
 * const result = await plans.confirm(plan.id)
 * ```
 */
export function createPlanBook(options: { ttlMs?: number | undefined; now?: (() => number) | undefined } = {}) {
  const ttl = options.ttlMs ?? 10 * 60_000
  const now = options.now ?? Date.now
  const plans = new Map<string, Plan>()

  const sweep = () => {
    for (const [id, p] of plans) if (p.expiresAt <= now()) plans.delete(id)
  }

  return {
    add(p: Omit<Plan, 'id' | 'createdAt' | 'expiresAt'>): Plan {
      sweep()
      const plan: Plan = { ...p, id: randomUUID(), createdAt: now(), expiresAt: now() + ttl }
      plans.set(plan.id, plan)
      return plan
    },
    get(id: string): Plan | undefined {
      sweep()
      return plans.get(id)
    },
    /**
     * Executes a plan once: re-plans first and refuses when the transactions changed (target, function or ETH
     * value), so that a confirm sends exactly what the caller approved.
     */
    async confirm(id: string): Promise<{ plan: Plan; result: unknown }> {
      sweep()
      const plan = plans.get(id)
      if (!plan) throw new PlanNotFoundError(`No pending plan "${id}".`, { metaMessages: ['Plans are single-use and expire after 10 minutes: ask for a new dry run.'], code: 'PLAN_NOT_FOUND' })
      plans.delete(id)
      const now = await plan.replan()
      const same = now.length === plan.steps.length && now.every((s, i) => sameCall(s, plan.steps[i]!))
      if (!same) throw new PlanChangedError('The transactions to send changed since the plan was made; nothing was sent.', { metaMessages: ['Ask for a new dry run and confirm that one.'], code: 'PLAN_CHANGED' })
      return { plan, result: await plan.execute(`mcp:${plan.id}`) }
    },
    /**
     * Ends a plan without sending it: the user said no (or cancelled). A discarded plan can never be confirmed
     * later; `confirm` with its id is refused as unknown. Returns whether a pending plan was discarded.
     */
    discard(id: string): boolean {
      return plans.delete(id)
    },
    pending: (): Plan[] => (sweep(), [...plans.values()]),
  }
}

/** The plan book of one server. */
export type PlanBook = ReturnType<typeof createPlanBook>

function sameCall(a: PlannedStep, b: PlannedStep): boolean {
  return a.name === b.name && a.to?.toLowerCase() === b.to?.toLowerCase() && a.functionName === b.functionName && a.value === b.value
}
