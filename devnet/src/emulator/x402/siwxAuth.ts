/**
 * SIWX sign-in for the emulator's routes: the `siwx` security scheme on the inference routes (instead
 * of a Bearer key) and on the x402 read routes, and the discovery 402 for a request with neither.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.js'
import { assertNotBlocked } from '../http/auth.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { discoveryBody, paymentRequiredHeader, requestUrl } from './paymentRequired.js'
import { SIWX_HEADERS } from './siwx.js'

/** The `SIGN-IN-WITH-X` (or legacy `X-Sign-In-With-X`) header of a request, if any. */
export function siwxHeaderOf(request: FastifyRequest): string | undefined {
  for (const name of SIWX_HEADERS) {
    const v = request.headers[name]
    if (typeof v === 'string' && v.length > 0) return v
  }
  return undefined
}

/**
 * Verifies the request's SIWX header and marks the request as paid by that wallet.
 *
 * @throws {VeniceHttpError} 401 with the reason (missing, malformed, wrong domain / chain, expired, replayed, bad signature).
 */
export async function authenticateSiwx(ctx: EmulatorContext, request: FastifyRequest, header = siwxHeaderOf(request)): Promise<void> {
  if (!header) throw new VeniceHttpError(401, MESSAGES.siwxMissing)
  const wallet = await ctx.x402.siwx.verify(header)
  request.venice.wallet = wallet
  // The failure breaker counts per account: a SIWX wallet is one.
  request.venice.caller = `user:${wallet}`
  assertNotBlocked(ctx, request.venice.caller)
}

/**
 * The `withoutBearer` hook of the routes the spec secures with `BearerAuth` or `siwx`: a request may
 * sign in with its wallet instead of a key; with neither it gets the spec's x402 discovery 402.
 *
 * @example
 * ```ts
 * app.post('/api/v1/chat/completions', { preHandler: authenticate(ctx, 'inference', { withoutBearer: siwxOrDiscovery(ctx) }) }, handler)
 * ```
 */
export function siwxOrDiscovery(ctx: EmulatorContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const siwx = siwxHeaderOf(request)
    if (siwx === undefined) {
      const url = requestUrl(request)
      const topUp = new URL('/api/v1/x402/top-up', url).toString()
      throw new VeniceHttpError(402, 'Payment required', {
        headers: paymentRequiredHeader(ctx.x402.config, url),
        body: discoveryBody(ctx.x402.config, url, topUp, ctx.clock.now()),
      })
    }
    await authenticateSiwx(ctx, request, siwx)
    const fallback = ctx.catalog.byId.get(ctx.catalog.traits.default ?? '')
    if (fallback) reply.headers(ctx.limiter.peek(request.venice.wallet!, fallback))
  }
}
