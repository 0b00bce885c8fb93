import { z } from 'zod'
import { readLedger, summarize } from '../../agent/ledger.js'
import { collectStatus, DEFAULT_BURN_WINDOW_MS, HOUR_MS, x402Runways, type SpendEntry } from '../../status/index.js'
import { defineTool, type AnyTool } from '../../tools/defineTool.js'
import { getBalances } from '../../wallet/actions/getBalances.js'
import { quoteSwap } from '../../wallet/actions/quoteSwap.js'
import { parseAmount } from '../../wallet/amounts.js'
import type { McpContext } from '../context.js'
import { presentable } from '../../util/presentable.js'

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
      handler: async () => presentable(await getBalances(await ctx.wallet())),
    }),
    defineTool({
      name: 'get_runway',
      description:
        "Per agent key: what it can still spend (the lesser of its limit left this period and the account's balance), its spend rate over the last 24 h from the ledger, the hours left at that rate; the account's Diem and USD, and when the daily allowance resets.",
      schema: z.object({}),
      handler: async () => runway(ctx),
    }),
    defineTool({
      name: 'quote_swap',
      description: 'Quotes an ETH → VVV swap on the configured route, with the minimum output the spend policy would accept. Sends nothing.',
      schema: z.object({ eth: ethAmount.describe('ETH to swap, as a decimal string such as "0.01".') }),
      handler: async ({ eth }) => presentable(await quoteSwap(await ctx.wallet(), { amountIn: parseAmount(eth, { symbol: 'ETH', field: 'eth' }) })),
    }),
  ]
}

/**
 * The status model's runway (`src/status`), as `gondola status --json` prints it: per agent key spendable, burn and
 * runway, plus the account's balances and the epoch. The key store is re-read, so a rotation shows at once. With
 * `--pay x402`, also the credits and their runway (`x402Runways`), as `gondola x402 balance` prints them.
 */
export async function runway(ctx: McpContext) {
  const s = await collectStatus(
    {
      wallet: await ctx.wallet(),
      store: ctx.store,
      baseURL: ctx.baseURL,
      fetch: ctx.fetch,
      readSpends: async () => (ctx.ledgerPath ? readLedger(ctx.ledgerPath) : ctx.ledger.entries()),
    },
    { now: ctx.now(), windowMs: DEFAULT_BURN_WINDOW_MS },
  )
  return {
    balanceDiem: s.rateLimits?.balances.DIEM ?? null,
    balanceUsd: s.rateLimits?.balances.USD ?? null,
    nextEpochBegins: s.rateLimits?.nextEpochBegins ?? null,
    windowHours: DEFAULT_BURN_WINDOW_MS / HOUR_MS,
    epoch: s.epoch,
    runways: s.runways,
    ...(ctx.pay === 'x402' && { x402: await x402Runway(ctx, s.entries) }),
  }
}

/** The wallet's x402 credits: `/x402/balance` recorded into the tracker, read back as the status model's one figure. */
export async function x402Credits(ctx: McpContext) {
  const venice = await ctx.inference()
  ctx.credits.record((await venice.getX402Balance(ctx.address)).balanceUsd)
  return ctx.credits.figure()
}

/** The x402 rail's credits (the newest report) and their runway at the ledger's x402 burn. */
async function x402Runway(ctx: McpContext, entries: readonly SpendEntry[]) {
  const credits = await x402Credits(ctx)
  return { credits, runway: x402Runways({ creditsUsd: credits?.balanceUsd, entries, now: ctx.now(), windowMs: DEFAULT_BURN_WINDOW_MS }) }
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
