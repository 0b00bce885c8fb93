import { BaseError } from '../../errors/BaseError.js'
import { z } from 'zod'
import { formatEther } from 'viem'
import { defineTool, type AnyTool } from '../../tools/defineTool.js'
import { claimAndStake } from '../../wallet/actions/claimAndStake.js'
import { ensureDiem } from '../../wallet/actions/ensureDiem.js'
import { stakeVvv } from '../../wallet/actions/stakeVvv.js'
import { swapEthForVvv } from '../../wallet/actions/swapEthForVvv.js'
import { parseAmount } from '../../wallet/amounts.js'
import type { Wallet } from '../../wallet/createWallet.js'
import { describePlannedStep, type PlannedStep } from '../../wallet/send/plannedStep.js'
import type { McpContext } from '../context.js'
import { presentable } from '../../util/presentable.js'
import type { StepChange } from '../planDiff.js'
import { PlanChangedError, type Plan } from '../plans.js'

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount such as "0.01"')

/** What a money tool returns: a plan to confirm (never a sent transaction). */
export type PlanView = {
  planId: string
  summary: string
  transactions: string[]
  steps: PlannedStep[]
  expiresAt: string
  /** After a confirm re-planned: what differs from the plan shown before. */
  changes?: StepChange[] | undefined
  next: string
}

/** Marks a tool result as a plan, so the MCP layer can ask the user to confirm it (elicitation). */
export const PLAN_RESULT = Symbol('gondola.plan')

type MoneyAction = { tool: string; summary: string; run: (wallet: Wallet, idempotencyKey?: string) => Promise<{ steps: PlannedStep[] }> }

/**
 * The money tools: `swap_eth_for_vvv`, `stake_vvv`, `claim_and_stake`, `mint_and_stake_diem` — each only PLANS
 * (a dry run on the wallet, under the spend policy: a refusal is an error and nothing is planned), and
 * `confirm_plan` sends exactly one plan once.
 *
 * @example
 * ```ts
 * const tools = moneyTools(ctx) // call swap_eth_for_vvv { eth: '0.01' } → { planId, … }; then confirm_plan { planId }
 * ```
 */
export function moneyTools(ctx: McpContext): AnyTool[] {
  // Every build of a plan (the dry run, the confirm's re-plan, the send) runs at the plan's wallet time, so a
  // time-derived argument (an Aerodrome swap deadline) is the same bytes each time.
  const at = (w: Wallet, t: number): Wallet => ({ ...w, now: () => new Date(t) })
  const plan = async (a: MoneyAction): Promise<PlanView & { [PLAN_RESULT]: true }> => {
    const t = ctx.now()
    const planned = await a.run(at(await ctx.dryRunWallet(), t))
    if (planned.steps.length === 0) throw new NothingPlannedError(`${a.summary}: nothing to send (already done).`)
    const p = ctx.plans.add({
      tool: a.tool,
      summary: a.summary,
      steps: planned.steps,
      at: t,
      replan: async (t2) => (await a.run(at(await ctx.dryRunWallet(), t2))).steps,
      execute: async (key, t2, guard) => {
        const live = await ctx.wallet()
        return presentable(await a.run({ ...at(live, t2), hooks: { ...live.hooks, beforeSign: guard } }, key))
      },
    })
    return planView(p)
  }

  return [
    defineTool({
      name: 'swap_eth_for_vvv',
      description:
        'Plans a swap of ETH for VVV under the spend policy (per-swap and daily caps, slippage bound). Sends nothing: confirm the returned plan to send it.',
      schema: z.object({ eth: decimal.describe('ETH to swap, as a decimal string such as "0.01".') }),
      handler: ({ eth }) => {
        const amountIn = parseAmount(eth, { symbol: 'ETH', field: 'eth' })
        return plan({
          tool: 'swap_eth_for_vvv',
          summary: `swap ${formatEther(amountIn)} ETH → VVV`,
          run: (w, k) => swapEthForVvv(w, { amountIn, idempotencyKey: k }),
        })
      },
    }),
    defineTool({
      name: 'stake_vvv',
      description: 'Plans staking liquid VVV into sVVV (exact approval, then stake). Sends nothing: confirm the returned plan to send it.',
      schema: z.object({ vvv: decimal.describe('VVV to stake, as a decimal string such as "25".') }),
      handler: ({ vvv }) => {
        const amount = parseAmount(vvv, { symbol: 'VVV', field: 'vvv' })
        return plan({ tool: 'stake_vvv', summary: `stake ${formatEther(amount)} VVV`, run: (w, k) => stakeVvv(w, { amount, idempotencyKey: k }) })
      },
    }),
    defineTool({
      name: 'claim_and_stake',
      description: 'Plans claiming the pending VVV staking rewards and restaking them in one transaction. Sends nothing: confirm the returned plan to send it.',
      schema: z.object({}),
      handler: () => plan({ tool: 'claim_and_stake', summary: 'claim and restake rewards', run: (w, k) => claimAndStake(w, { idempotencyKey: k }) }),
    }),
    defineTool({
      name: 'mint_and_stake_diem',
      description:
        'Plans holding this many staked DIEM: mints the missing DIEM from unlocked sVVV and stakes it (1 staked DIEM = $1 of Venice compute per day). Sends nothing: confirm the returned plan to send it.',
      schema: z.object({ targetStakedDiem: decimal.describe('Staked DIEM to hold in total, as a decimal string such as "0.5".') }),
      handler: ({ targetStakedDiem }) => {
        const target = parseAmount(targetStakedDiem, { symbol: 'DIEM', field: 'targetStakedDiem' })
        return plan({
          tool: 'mint_and_stake_diem',
          summary: `hold ${formatEther(target)} staked DIEM`,
          run: (w, k) => ensureDiem(w, { targetStakedDiem: target, idempotencyKey: k }),
        })
      },
    }),
    defineTool({
      name: 'confirm_plan',
      description:
        'Sends the transactions of a plan made by a money tool, byte for byte as planned, once. Refuses an unknown, used or expired plan. When anything changed since (e.g. the swap minimum after the market moved), sends nothing and returns a new plan listing the changes, to confirm again.',
      schema: z.object({ planId: z.string().uuid().describe('The planId returned by the money tool.') }),
      handler: async ({ planId }) => {
        try {
          const { plan: p, result } = await ctx.plans.confirm(planId)
          return { sent: true, planId: p.id, summary: p.summary, result }
        } catch (err) {
          // Re-planned: nothing was sent; the new plan (and what changed) goes back for a new confirmation.
          if (err instanceof PlanChangedError && err.next)
            return { sent: false, reason: err.shortMessage, changes: err.changes, ...planView(err.next, err.changes) }
          throw err
        }
      },
    }),
  ]
}

/**
 * A plan as a caller sees it: its id, one line per transaction, the steps with their calldata, and (after a
 * re-plan) what changed against the plan the caller saw before.
 *
 * @example
 * ```ts
 * planView(ctx.plans.add(newPlan)).next // 'Nothing was sent. To send these 1 transaction(s), call confirm_plan …'
 * ```
 */
export function planView(p: Plan, changes?: StepChange[]): PlanView & { [PLAN_RESULT]: true } {
  return {
    [PLAN_RESULT]: true,
    planId: p.id,
    summary: p.summary,
    transactions: p.steps.map(describePlannedStep),
    steps: p.steps,
    expiresAt: new Date(p.expiresAt).toISOString(),
    ...(changes?.length ? { changes } : {}),
    next: `Nothing was sent. To send these ${p.steps.length} transaction(s), call confirm_plan with planId "${p.id}".`,
  }
}

/** A money tool found nothing to do (target already met). Nothing was planned. */
export class NothingPlannedError extends BaseError {
  override name = 'NothingPlannedError' as const
}
