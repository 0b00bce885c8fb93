/**
 * `GET /billing/usage-history` (ADMIN): the billing ledger as a cursor-paginated walk in ascending
 * timestamp order, fed by the same accounting records as the sunset `/billing/usage`. The first request
 * takes `currency`, `startTimestamp` (inclusive), `endTimestamp` (exclusive) and `pageSize` (10–1000,
 * default 1000); a continuation sends only `cursor` (filters travel inside it). Keyset positions make
 * pages stable while new usage is recorded. `Accept: text/csv` returns the page as CSV with
 * `Content-Disposition` and `x-next-cursor`.
 */
import type { FastifyInstance } from 'fastify'
import { keyOf, sendJson, type EmulatorContext } from '../context.js'
import { authenticate } from '../http/auth.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { toErrorTree } from '../spec/validators.js'
import { comparePositions, rowsOf, type LedgerPosition, type LedgerRow } from '../billing/ledgerRows.js'
import { decodeCursor, encodeCursor, type UsageCursor } from '../billing/usageCursor.js'
import { csvDisposition, usageCsv } from '../billing/usageCsv.js'

const PATH = '/billing/usage-history'
const FILTERS = ['currency', 'startTimestamp', 'endTimestamp', 'pageSize'] as const
type Query = { currency?: UsageCursor['currency']; cursor?: string; startTimestamp?: string; endTimestamp?: string; pageSize?: number }

const invalid = (field: string, message: string): VeniceHttpError =>
  new VeniceHttpError(400, MESSAGES.invalidRequest, { details: { _errors: [], [field]: { _errors: [message] } } })

/** Parses a `Z`-suffixed ISO timestamp (format already checked by the spec validator). */
function utcMs(field: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  if (!v.endsWith('Z')) throw invalid(field, 'Timestamp must be in UTC with a "Z" suffix')
  return Date.parse(v)
}

/** The walk this request continues or starts: filters, page size and the position to resume after. */
function walkOf(ctx: EmulatorContext, owner: string, q: Query): UsageCursor & { start?: number | undefined } {
  if (q.cursor !== undefined) {
    const extra = FILTERS.filter((f) => q[f] !== undefined)
    if (extra.length) throw invalid(extra[0]!, 'Filter parameters cannot be sent with a cursor: the cursor carries the filters of its walk')
    const c = decodeCursor(ctx.jwtSecret, q.cursor, owner, ctx.clock.now())
    if ('problem' in c) throw invalid('cursor', `Invalid cursor (${c.problem}): restart the walk from the first page`)
    return c
  }
  const start = utcMs('startTimestamp', q.startTimestamp)
  const end = utcMs('endTimestamp', q.endTimestamp)
  if (start !== undefined && end !== undefined && end <= start) throw invalid('endTimestamp', 'endTimestamp must be later than startTimestamp')
  return { owner, currency: q.currency, start, end, pageSize: q.pageSize ?? 1000, after: [-Infinity, 0, 0], issuedAt: 0 }
}

/** Registers `GET /api/v1/billing/usage-history`. */
export function registerUsageHistoryRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  const check = ctx.validators.query(PATH, 'get')
  app.get(`/api/v1${PATH}`, { preHandler: authenticate(ctx, 'admin') }, async (request, reply) => {
    const key = keyOf(request)
    const parsed = check(request.query as Record<string, unknown>)
    if (!parsed.ok) throw new VeniceHttpError(400, MESSAGES.invalidRequest, { details: toErrorTree(parsed.errors) })
    const walk = walkOf(ctx, key.owner, parsed.value as Query)
    const page: { position: LedgerPosition; row: LedgerRow }[] = []
    for (const u of ctx.accounts.user(key.owner).usage) {
      if ((walk.start !== undefined && u.at < walk.start) || (walk.end !== undefined && u.at >= walk.end)) continue
      for (const r of rowsOf(u)) if ((!walk.currency || r.row.currency === walk.currency) && comparePositions(r.position, walk.after) > 0) page.push(r)
    }
    page.sort((a, b) => comparePositions(a.position, b.position))
    const rows = page.slice(0, walk.pageSize)
    const last = rows.at(-1)
    const nextCursor = page.length > walk.pageSize && last ? encodeCursor(ctx.jwtSecret, { ...walk, after: last.position, issuedAt: ctx.clock.now() }) : null
    if (String(request.headers.accept ?? '').includes('text/csv')) {
      if (nextCursor) reply.header('x-next-cursor', nextCursor)
      return reply
        .code(200)
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', csvDisposition(ctx.clock.now()))
        .send(usageCsv(rows.map((r) => r.row)))
    }
    return sendJson(reply, 200, { data: rows.map((r) => r.row), nextCursor })
  })
}
