/**
 * `/billing/balance`, `/billing/usage` and (registered from here) `/billing/usage-history`. The spec sunsets `/billing/usage` on 2026-09-16 (410 with
 * `Deprecation`/`Sunset`/`Link` headers from then on, by the emulator clock); before that it returns
 * the legacy ledger shape.
 */
import type { FastifyInstance } from 'fastify'
import { keyOf, sendJson, type EmulatorContext } from '../context.js'
import { authenticate, formatAmount } from '../http/auth.js'
import { VeniceHttpError } from '../http/VeniceHttpError.js'
import { rowsOf } from '../billing/ledgerRows.js'
import { registerUsageHistoryRoute } from './usageHistory.js'

/** When `/billing/usage` stops returning data (spec: "SUNSET as of 2026-09-16"). */
export const BILLING_USAGE_SUNSET = Date.UTC(2026, 8, 16)

/** Registers the billing routes (`/billing/usage-history` lives in `usageHistory.ts`). */
export function registerBillingRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  registerUsageHistoryRoute(app, ctx)
  app.get('/api/v1/billing/balance', { preHandler: authenticate(ctx, 'admin') }, async (request, reply) => {
    const key = keyOf(request)
    const bal = await ctx.accounts.balances(key.owner)
    return sendJson(reply, 200, {
      canConsume: bal.diem > 0 || bal.usd > 0,
      consumptionCurrency: bal.diem > 0 ? 'DIEM' : bal.usd > 0 ? 'USD' : null,
      balances: { diem: Number(formatAmount(bal.diem)), usd: Number(formatAmount(bal.usd)) },
      diemEpochAllocation: Number(formatAmount(bal.allowance)),
    })
  })

  app.get('/api/v1/billing/usage', { preHandler: authenticate(ctx, 'admin') }, async (request, reply) => {
    const key = keyOf(request)
    if (ctx.clock.now() >= BILLING_USAGE_SUNSET) {
      throw new VeniceHttpError(
        410,
        'GET /api/v1/billing/usage was sunset on 2026-09-16. Use GET /api/v1/billing/usage-history: replace page and limit with pageSize and nextCursor, startDate and endDate with startTimestamp and endTimestamp.',
        {
          headers: { deprecation: '@1784160000', sunset: 'Wed, 16 Sep 2026 00:00:00 GMT', link: '</api/v1/billing/usage-history>; rel="successor-version"' },
        },
      )
    }
    const q = request.query as { limit?: string; page?: string }
    const limit = Math.min(500, Math.max(1, Number(q.limit ?? 200) || 200))
    const page = Math.max(1, Number(q.page ?? 1) || 1)
    const all = [...ctx.accounts.user(key.owner).usage].reverse()
    const rows = all.slice((page - 1) * limit, page * limit).flatMap((u) => rowsOf(u).map((r) => r.row))
    return sendJson(reply, 200, { data: rows, pagination: { limit, page, total: all.length, totalPages: Math.ceil(all.length / limit) } })
  })
}
