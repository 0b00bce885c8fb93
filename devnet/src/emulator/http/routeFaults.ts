/**
 * Faults on the non-inference routes (key flow, key management, catalogue, billing) when the fault
 * scope is `all`. Inference routes draw their own fault inside `beginInference` (after the rate-limit
 * and balance checks, as Venice fails there); the `/_emulator/*` admin routes never fail, so a test can
 * always turn faults off again.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.js'
import { MESSAGES, VeniceHttpError } from './VeniceHttpError.js'

/** Routes that call `beginInference` and so draw their fault there. */
const INFERENCE_ROUTES = new Set(['/api/v1/chat/completions', '/api/v1/embeddings', '/api/v1/image/generate', '/api/v1/audio/speech'])

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Adds the `onRequest` hook that injects faults on every other route. The fault is decided before the
 * handler runs, so a 5xx or a drop here means the request had no effect (no key was created).
 *
 * @example
 * ```ts
 * registerRouteFaults(app, ctx)
 * ctx.faults.set({ rate500: 1, scope: 'all' }) // GET /api_keys/generate_web3_key → 500
 * ```
 */
export function registerRouteFaults(app: FastifyInstance, ctx: EmulatorContext): void {
  // Callback style: inference routes (the hot path) pass straight through without a promise.
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url
    if (!route || INFERENCE_ROUTES.has(route) || route.startsWith('/api/v1/_emulator/')) return done()
    injectFault(ctx, request, reply).then(() => done(), done)
  })
}

async function injectFault(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const fault = ctx.faults.decide('other')
  if (fault.latencyMs > 0) await sleep(fault.latencyMs)
  if (fault.kind === 'drop') {
    reply.hijack()
    request.raw.socket.destroy()
    return
  }
  if (fault.kind === 429) throw new VeniceHttpError(429, MESSAGES.rateLimited)
  if (fault.kind === 500) throw new VeniceHttpError(500, 'An unknown error occurred')
  if (fault.kind === 503) throw new VeniceHttpError(503, MESSAGES.atCapacity)
}
