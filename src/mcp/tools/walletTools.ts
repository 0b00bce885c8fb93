import { z } from 'zod'
import { readLedger, summarize } from '../../agent/ledger.js'
import { defineTool, type AnyTool } from '../../tools/defineTool.js'
import { getBalances } from '../../wallet/actions/getBalances.js'
import { quoteSwap } from '../../wallet/actions/quoteSwap.js'
import { parseAmount } from '../../wallet/amounts.js'
import type { McpContext } from '../context.js'
import { presentResult } from '../present.js'

const ethAmount = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount such as "0.01"')

/**
 * Read-only wallet tools: `get_wallet_balances`, `get_runway`, `quote_swap`.
 *
 * @example
 * ```ts
 * const tools = walletReadTools(createMcpContext({ wallet, store, baseURL }))
 * ```
 */
export function walletReadTools(ctx: McpContext): AnyTool[] {
  return [
    defineTool({
      name: 'get_wallet_balances',
      description: "The wallet's balances on Base in one read: ETH, VVV, sVVV (unlocked/locked), pending rewards, DIEM (liquid/staked), as decimal strings.",
      schema: z.object({}),
      handler: async () => presentResult(await getBalances(await ctx.wallet())),
    }),
    defineTool({
      name: 'get_runway',
      description: "The Venice account's spendable Diem and USD, the spend rate over the last 24 h from the ledger, the hours left at that rate, and when the daily allowance resets.",
      schema: z.object({}),
      handler: async () => runway(ctx),
    }),
    defineTool({
      name: 'quote_swap',
      description: 'Quotes an ETH → VVV swap on the configured route, with the minimum output the spend policy would accept. Sends nothing.',
      schema: z.object({ eth: ethAmount.describe('ETH to swap, as a decimal string such as "0.01".') }),
      handler: async ({ eth }) => presentResult(await quoteSwap(await ctx.wallet(), { amountIn: parseAmount(eth, { symbol: 'ETH', field: 'eth' }) })),
    }),
  ]
}

/** Balance (ADMIN `/api_keys/rate_limits`) and burn (ledger, last 24 h) → runway. */
export async function runway(ctx: McpContext) {
  const limits = await ctx.admin().getRateLimits()
  const entries = ctx.ledgerPath ? await readLedger(ctx.ledgerPath) : []
  const since = ctx.now() - 86_400_000
  const recent = summarize(entries, since)
  const burnPerHour = recent.costDiem / 24
  const balanceDiem = limits.balances.DIEM ?? 0
  const round = (n: number) => Math.round(n * 1e6) / 1e6
  return {
    balanceDiem: round(balanceDiem),
    balanceUsd: round(limits.balances.USD ?? 0),
    spentDiemLast24h: round(recent.costDiem),
    burnDiemPerHour: round(burnPerHour),
    runwayHours: burnPerHour > 0 ? round(balanceDiem / burnPerHour) : null,
    nextEpochBegins: limits.nextEpochBegins ?? null,
  }
}

/**
 * `get_ledger`: the spend ledger's totals (by agent and model) and its latest lines.
 *
 * @example
 * ```ts
 * const [ledgerTool] = ledgerTools(ctx)
 * ```
 */
export function ledgerTools(ctx: McpContext): AnyTool[] {
  return [
    defineTool({
      name: 'get_ledger',
      description: 'The spend ledger: totals by agent and model, and the latest model calls with their Diem cost.',
      schema: z.object({
        since: z.iso.datetime().optional().describe('Only entries at or after this ISO time, e.g. "2026-11-30T00:00:00Z".'),
        limit: z.number().int().min(1).max(500).optional().describe('How many of the latest entries to list (default 20).'),
      }),
      handler: async ({ since, limit }) => ledgerView(ctx, since, limit ?? 20),
    }),
  ]
}

/** Totals and latest entries of the ledger (file when configured, else this server's own calls). */
export async function ledgerView(ctx: McpContext, since: string | undefined, limit: number) {
  await ctx.ledger.flush()
  const all = ctx.ledgerPath ? await readLedger(ctx.ledgerPath) : ctx.ledger.entries()
  const entries = since ? all.filter((e) => e.ts >= since) : all
  return { summary: summarize(entries), latest: entries.slice(-limit) }
}
