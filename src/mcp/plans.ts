import { randomUUID } from 'node:crypto'
import { formatEther, type Hex } from 'viem'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import type { WalletHooks } from '../wallet/createWallet.js'
import type { PlannedStep } from '../wallet/send/plannedStep.js'
import { describeChange, diffSteps, type StepChange } from './planDiff.js'

/** A plan id that is unknown, used, or expired. Nothing was sent. */
export class PlanNotFoundError extends BaseError {
  override name = 'PlanNotFoundError' as const
  override exitCode = ExitCode.usage
}

/**
 * The transactions a confirm would send differ from the plan the caller saw (the chain moved). Nothing was sent.
 * When the confirm re-planned, `next` is the new plan (with `changes` against the old one), waiting for its own
 * confirmation.
 */
export class PlanChangedError extends BaseError {
  override name = 'PlanChangedError' as const
  override exitCode = ExitCode.policy
  changes: StepChange[] = []
  next: Plan | undefined
}

/** One money action planned by a dry run, waiting for the caller's confirmation. */
export type Plan = {
  id: string
  /** The tool that made it (`swap_eth_for_vvv`, …). */
  tool: string
  /** One line for people: `swap 0.01 ETH → VVV`. */
  summary: string
  /** Exactly what a confirm may sign: target, value and calldata of each transaction. */
  steps: PlannedStep[]
  createdAt: number
  expiresAt: number
  /** The wallet time the steps were built for (a swap deadline derives from it); the confirm builds at it again. */
  at: number
  /**
   * Runs the action for real, building at time `at`, with `guard` as the wallet's `beforeSign` hook: it refuses
   * to sign anything but the planned bytes. The result is what the caller sees.
   */
  execute: (idempotencyKey: string, at: number, guard: NonNullable<WalletHooks['beforeSign']>) => Promise<unknown>
  /** Re-plans (dry run) at time `at`, to check that what would be sent now is still `steps`. */
  replan: (at: number) => Promise<PlannedStep[]>
}

/** What a money tool registers. */
export type NewPlan = Omit<Plan, 'id' | 'createdAt' | 'expiresAt' | 'at'> & { at?: number | undefined }

/**
 * The pending plans of one MCP server: a dry run registers a plan, a confirm takes it exactly once and sends its
 * transactions byte for byte. A confirm first re-plans: when anything differs (an argument such as
 * `amountOutMinimum`, a target, a value), nothing is sent, and the new plan is registered for a new confirmation
 * showing what changed. While sending, the wallet's `beforeSign` hook refuses any transaction whose bytes are not
 * the planned ones (the market moving between the re-plan and the signature).
 *
 * Hand-written because it is a Map with expiry; no library is needed for that.
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
  const add = (p: NewPlan): Plan => {
    sweep()
    const t = now()
    const plan: Plan = { ...p, id: randomUUID(), createdAt: t, expiresAt: t + ttl, at: p.at ?? t }
    plans.set(plan.id, plan)
    return plan
  }

  return {
    add,
    get(id: string): Plan | undefined {
      sweep()
      return plans.get(id)
    },
    /**
     * Executes a plan once, exactly as planned. Re-plans first: a change (any byte of any transaction) sends
     * nothing and throws `PlanChangedError` with the new plan and the changes. Refuses a plan made on another UTC
     * day (the daily spend cap it was checked against has reset).
     */
    async confirm(id: string): Promise<{ plan: Plan; result: unknown }> {
      sweep()
      const plan = plans.get(id)
      if (!plan)
        throw new PlanNotFoundError(`No pending plan "${id}".`, {
          metaMessages: ['Plans are single-use and expire after 10 minutes: ask for a new dry run.'],
          code: 'PLAN_NOT_FOUND',
        })
      plans.delete(id)
      if (utcDay(plan.at) !== utcDay(now()))
        throw new PlanNotFoundError(`Plan "${id}" was made on another UTC day; nothing was sent.`, {
          metaMessages: ['The daily spend cap it was checked against has reset: ask for a new dry run.'],
          code: 'PLAN_STALE_DAY',
        })
      const changes = diffSteps(plan.steps, await plan.replan(plan.at))
      if (changes.length) {
        const t = now()
        const next = add({ tool: plan.tool, summary: plan.summary, execute: plan.execute, replan: plan.replan, steps: await plan.replan(t), at: t })
        const err = new PlanChangedError(
          `The transactions changed since the plan was made; nothing was sent. Changed: ${changes.map(describeChange).join('; ')}.`,
          {
            metaMessages: [`A new plan "${next.id}" holds the transactions as they are now: confirm that one to send them.`],
            code: 'PLAN_CHANGED',
          },
        )
        err.changes = changes
        err.next = next
        throw err
      }
      return { plan, result: await plan.execute(`mcp:${plan.id}`, plan.at, signOnly(plan.steps)) }
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

/**
 * A wallet `beforeSign` hook that lets only the planned transactions be signed: the step of the same name, with the
 * same target, value and calldata, byte for byte. Anything else throws `PlanChangedError` before signing.
 *
 * @example
 * ```ts
 * await swapEthForVvv({ ...wallet, hooks: { beforeSign: signOnly(plan.steps) } }, { amountIn })
 * ```
 */
export function signOnly(steps: readonly PlannedStep[]): NonNullable<WalletHooks['beforeSign']> {
  return (tx) => {
    const planned = steps.find((s) => s.name === tx.name)
    const same = planned?.to?.toLowerCase() === tx.to.toLowerCase() && planned.value === formatEther(tx.value) && sameBytes(planned.data, tx.data)
    if (same) return
    throw new PlanChangedError(`"${tx.label}" is not the transaction that was planned${planned ? ' (its bytes differ)' : ''}; it was not signed.`, {
      metaMessages: ['The chain moved while sending: ask for a new dry run and confirm that one.'],
      code: 'PLAN_CHANGED_AT_SIGNING',
    })
  }
}

const sameBytes = (a: Hex | undefined, b: Hex) => a !== undefined && a.toLowerCase() === b.toLowerCase()
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
