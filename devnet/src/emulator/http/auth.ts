/**
 * Bearer-key authentication for the emulator's routes: 401 for a missing, unknown or expired key,
 * 401 for an INFERENCE key on an ADMIN route, the failure breaker's 429 (per account), and the balance headers
 * (`x-venice-balance-diem` / `-usd`, before the request) on every authenticated response.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.js'
import { RATE_LIMIT_TYPE } from './rateLimitType.js'
import { MESSAGES, VeniceHttpError } from './VeniceHttpError.js'

/** Who may call a route. */
export type Access = 'inference' | 'admin'

/** Formats a balance for the headers and JSON (at most 8 decimals, no trailing zeros). */
export function formatAmount(n: number): string {
  return String(Math.round(n * 1e8) / 1e8)
}

/**
 * Throws the breaker's 429 if this caller is blocked.
 *
 * @example
 * ```ts
 * assertNotBlocked(ctx, request.venice.caller)
 * ```
 */
export function assertNotBlocked(ctx: EmulatorContext, caller: string): void {
  const until = ctx.breaker.blockedUntil(caller)
  if (until) {
    const seconds = Math.max(1, Math.ceil((until - ctx.clock.now()) / 1000))
    throw new VeniceHttpError(429, MESSAGES.tooManyFailures, {
      headers: {
        'x-ratelimit-type': RATE_LIMIT_TYPE,
        'retry-after': String(seconds),
        'x-ratelimit-reset-requests': String(Math.ceil(until / 1000)),
        'x-ratelimit-remaining-requests': '0',
      },
    })
  }
}

/**
 * Builds the preHandler of an authenticated route. `withoutBearer` handles a request that sent no
 * `Authorization` header at all (the x402 routes' SIWX sign-in, `siwxOrDiscovery`).
 *
 * @example
 * ```ts
 * app.get('/api/v1/api_keys', { preHandler: authenticate(ctx, 'admin') }, handler)
 * app.post('/api/v1/chat/completions', { preHandler: authenticate(ctx, 'inference', { withoutBearer: siwxOrDiscovery(ctx) }) }, handler)
 * ```
 */
export function authenticate(
  ctx: EmulatorContext,
  access: Access,
  options: { withoutBearer?: (request: FastifyRequest, reply: FastifyReply) => Promise<void> } = {},
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    assertNotBlocked(ctx, request.venice.caller)
    const header = request.headers.authorization
    if (options.withoutBearer && header === undefined) return options.withoutBearer(request, reply)
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined
    const key = token ? ctx.keys.byKey(token) : undefined
    if (!key) throw new VeniceHttpError(401, MESSAGES.authFailed)
    request.venice.key = key
    // The failure breaker counts per account (all keys of one user), as the docs say.
    request.venice.caller = `user:${key.owner}`
    assertNotBlocked(ctx, request.venice.caller)
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= ctx.clock.now()) throw new VeniceHttpError(401, MESSAGES.keyExpired)
    if (access === 'admin' && key.apiKeyType !== 'ADMIN') throw new VeniceHttpError(401, MESSAGES.adminRequired)
    const bal = await ctx.accounts.balances(key.owner)
    reply.header('x-venice-balance-diem', formatAmount(bal.diem)).header('x-venice-balance-usd', formatAmount(bal.usd))
    const fallback = ctx.catalog.byId.get(ctx.catalog.traits.default ?? '')
    if (fallback) reply.headers(ctx.limiter.peek(key.owner, fallback))
  }
}
