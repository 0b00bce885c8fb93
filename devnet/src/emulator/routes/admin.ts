/**
 * The emulator's own control surface, off unless `adminEndpoint: true` (env VENICE_EMULATOR_ADMIN):
 * `GET/POST /api/v1/_emulator/clock`, `GET/POST /_emulator/faults`, `POST /_emulator/rate_limits`,
 * `POST /_emulator/script`, `POST /_emulator/balance`, `GET/POST /_emulator/variants`. No auth: loopback demo and test use only.
 */
import type { FastifyInstance } from 'fastify'
import { getAddress } from 'viem'
import { sendJson, type EmulatorContext } from '../context.js'
import type { FaultOptions } from '../faults.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import type { ScriptedResponse } from '../model/scripts.js'
import type { RateLimitOverrides } from '../state/rateLimiter.js'
import { parseVariants } from '../variants.js'

const bad = (why: string) => new VeniceHttpError(400, MESSAGES.invalidRequest, { details: { _errors: [why] } })

/** Registers `/api/v1/_emulator/*`. */
export function registerAdminRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const base = '/api/v1/_emulator'
  app.get(`${base}/clock`, async (_q, reply) => sendJson(reply, 200, { now: ctx.clock.now(), iso: new Date(ctx.clock.now()).toISOString() }))
  app.post(`${base}/clock`, async (request, reply) => {
    const body = (request.body ?? {}) as { set?: number | string; advanceMs?: number }
    if (body.set !== undefined) ctx.clock.set(typeof body.set === 'string' ? Date.parse(body.set) : body.set)
    else if (typeof body.advanceMs === 'number') ctx.clock.advance(body.advanceMs)
    else throw bad('Send { set: ms | ISO string } or { advanceMs: number }')
    return sendJson(reply, 200, { now: ctx.clock.now(), iso: new Date(ctx.clock.now()).toISOString() })
  })
  app.get(`${base}/faults`, async (_q, reply) => sendJson(reply, 200, ctx.faults.get()))
  app.post(`${base}/faults`, async (request, reply) => {
    ctx.faults.set((request.body ?? {}) as FaultOptions)
    return sendJson(reply, 200, ctx.faults.get())
  })
  app.post(`${base}/rate_limits`, async (request, reply) => {
    ctx.limiter.setOverrides((request.body ?? {}) as RateLimitOverrides)
    ctx.breaker.reset()
    return sendJson(reply, 200, { success: true })
  })
  app.get(`${base}/variants`, async (_q, reply) => sendJson(reply, 200, ctx.variants))
  app.post(`${base}/variants`, async (request, reply) => {
    try {
      ctx.variants = parseVariants(request.body ?? {})
    } catch (err) {
      throw bad((err as Error).message)
    }
    return sendJson(reply, 200, ctx.variants)
  })
  app.post(`${base}/script`, async (request, reply) => {
    const body = (request.body ?? {}) as { apiKey?: string; responses?: ScriptedResponse[] }
    if (typeof body.apiKey !== 'string' || !Array.isArray(body.responses)) throw bad('Send { apiKey, responses: [...] }')
    return sendJson(reply, 200, { queued: ctx.scripts.push(body.apiKey, body.responses) })
  })
  app.post(`${base}/balance`, async (request, reply) => {
    const body = (request.body ?? {}) as { address?: string; usd?: number }
    if (typeof body.address !== 'string' || typeof body.usd !== 'number') throw bad('Send { address, usd }')
    ctx.accounts.setUsd(getAddress(body.address), body.usd)
    ctx.accounts.invalidate(getAddress(body.address))
    return sendJson(reply, 200, { success: true })
  })
}
