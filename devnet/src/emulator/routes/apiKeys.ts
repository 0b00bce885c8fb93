/**
 * `/api_keys` (list, create, update, delete), `/api_keys/{id}`, `/api_keys/rate_limits` and
 * `/api_keys/rate_limits/log`: ADMIN keys only. Also the key-creation rules shared with the web3
 * flow: at most 500 active keys per user and 20 creations per minute.
 */
import type { FastifyInstance } from 'fastify'
import type { Address } from 'viem'
import { sendJson, validateBody, keyOf, type EmulatorContext } from '../context.js'
import { authenticate, formatAmount } from '../http/auth.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { epochStart, periodStart } from '../state/clock.js'
import { keySpendSince, normaliseExpiry, type ApiKeyRecord, type CreateKeyInput } from '../state/keyStore.js'

const DAY = 86_400_000

/**
 * Creates a key for `owner` under Venice's limits and returns the create response's `data`.
 *
 * @example
 * ```ts
 * const data = createKeyFor(ctx, address, { apiKeyType: 'INFERENCE', description: 'bot' })
 * data.apiKey // shown once
 * ```
 */
export function createKeyFor(ctx: EmulatorContext, owner: Address, input: CreateKeyInput) {
  const now = ctx.clock.now()
  const recent = (ctx.keyCreations.get(owner) ?? []).filter((t) => t > now - 60_000)
  if (recent.length >= 20) {
    throw new VeniceHttpError(429, MESSAGES.keyCreationLimited, { headers: { 'retry-after': String(Math.ceil((recent[0]! + 60_000 - now) / 1000)) } })
  }
  if (ctx.keys.list(owner).length >= ctx.maxActiveKeys) throw new VeniceHttpError(400, MESSAGES.maxKeys)
  recent.push(now)
  ctx.keyCreations.set(owner, recent)
  const { apiKey, record } = ctx.keys.create(owner, input, now, ctx.variants.dateOnlyExpiry)
  return {
    apiKey,
    apiKeyType: record.apiKeyType,
    consumptionLimit: { ...record.consumptionLimit },
    limitPeriod: record.limitPeriod,
    modelPrivacy: record.modelPrivacy,
    description: record.description,
    expiresAt: record.expiresAt,
    id: record.id,
  }
}

const money = (n: number): string => n.toFixed(4)

/** The list / get shape of a key (never the key itself). */
export function describeKey(ctx: EmulatorContext, key: ApiKeyRecord) {
  const now = ctx.clock.now()
  const week = keySpendSince(key, epochStart(now, DAY) - 6 * DAY, 'day')
  const hasLimits = key.consumptionLimit.usd !== null || key.consumptionLimit.diem !== null
  const period = keySpendSince(key, periodStart(key.limitPeriod, now, ctx.epochMs))
  return {
    apiKeyType: key.apiKeyType,
    consumptionLimits: { ...key.consumptionLimit },
    limitPeriod: key.limitPeriod,
    modelPrivacy: key.modelPrivacy,
    createdAt: new Date(key.createdAt).toISOString(),
    description: key.description,
    expiresAt: key.expiresAt,
    id: key.id,
    last6Chars: key.last6Chars,
    lastUsedAt: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
    usage: { trailingSevenDays: { usd: money(week.usd), vcu: money(0), diem: money(week.diem) } },
    ...(hasLimits ? { currentPeriodUsage: { usd: money(period.usd), diem: money(period.diem) } } : {}),
  }
}

/** Registers the key-management routes. */
export function registerApiKeyRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const admin = { preHandler: authenticate(ctx, 'admin') }

  app.get('/api/v1/api_keys', admin, async (request, reply) => {
    const key = keyOf(request)
    return sendJson(reply, 200, { object: 'list', data: ctx.keys.list(key.owner).map((k) => describeKey(ctx, k)) })
  })

  app.post('/api/v1/api_keys', admin, async (request, reply) => {
    const key = keyOf(request)
    const body = validateBody<CreateKeyInput>(ctx, '/api_keys', 'post', request.body)
    return sendJson(reply, 200, { success: true, data: createKeyFor(ctx, key.owner, body) })
  })

  app.patch('/api/v1/api_keys', admin, async (request, reply) => {
    const key = keyOf(request)
    const body = validateBody<Partial<CreateKeyInput> & { id: string; expiresAt?: string | null }>(ctx, '/api_keys', 'patch', request.body)
    const target = ctx.keys.byId(body.id)
    if (!target || target.owner !== key.owner)
      throw new VeniceHttpError(400, 'API key not found', { details: { _errors: [], id: { _errors: ['No such API key'] } } })
    if (body.description !== undefined) target.description = body.description
    if (body.expiresAt !== undefined) target.expiresAt = normaliseExpiry(body.expiresAt, ctx.variants.dateOnlyExpiry)
    if (body.limitPeriod) target.limitPeriod = body.limitPeriod
    if (body.modelPrivacy) target.modelPrivacy = body.modelPrivacy
    if (body.consumptionLimit) Object.assign(target.consumptionLimit, body.consumptionLimit)
    const { usage: _usage, currentPeriodUsage: _current, ...data } = describeKey(ctx, target)
    return sendJson(reply, 200, { success: true, data })
  })

  app.delete('/api/v1/api_keys', admin, async (request, reply) => {
    const key = keyOf(request)
    const id = (request.query as { id?: string }).id
    const target = id ? ctx.keys.byId(id) : undefined
    if (!target || target.owner !== key.owner)
      throw new VeniceHttpError(400, 'API key not found', { details: { _errors: [], id: { _errors: ['No such API key'] } } })
    ctx.keys.delete(target.id)
    return sendJson(reply, 200, { success: true })
  })

  app.get('/api/v1/api_keys/rate_limits', admin, async (request, reply) => {
    const key = keyOf(request)
    const bal = await ctx.accounts.balances(key.owner)
    const now = ctx.clock.now()
    const rateLimits = ctx.catalog.models
      .filter((m) => m.type === 'text')
      .map((m) => {
        const l = ctx.limiter.limitsFor(m)
        return {
          apiModelId: m.id,
          rateLimits: [
            { amount: l.rpm, type: 'RPM' },
            { amount: l.rpd, type: 'RPD' },
            { amount: l.tpm, type: 'TPM' },
          ],
        }
      })
    return sendJson(reply, 200, {
      data: {
        accessPermitted: bal.diem > 0 || bal.usd > 0,
        apiTier: { id: 'paid', isCharged: true },
        balances: { USD: Number(formatAmount(bal.usd)), DIEM: Number(formatAmount(bal.diem)) },
        keyExpiration: key.expiresAt,
        nextEpochBegins: new Date(epochStart(now, ctx.epochMs) + ctx.epochMs).toISOString(),
        rateLimits,
      },
    })
  })

  app.get('/api/v1/api_keys/rate_limits/log', admin, async (request, reply) => {
    const key = keyOf(request)
    return sendJson(reply, 200, { object: 'list', data: ctx.limiter.logOf(key.owner) })
  })

  app.get('/api/v1/api_keys/:id', admin, async (request, reply) => {
    const key = keyOf(request)
    const target = ctx.keys.byId((request.params as { id: string }).id)
    if (!target || target.owner !== key.owner) throw new VeniceHttpError(404, 'API key not found')
    return sendJson(reply, 200, { data: describeKey(ctx, target) })
  })
}
