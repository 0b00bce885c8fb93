/**
 * Catalogue routes: `/models` (with `type` filter), `/models/traits`, `/models/compatibility_mapping`
 * (public, as Venice serves them), and `/characters`, `/characters/{slug}` (any key: the spec's global
 * BearerAuth applies to them).
 */
import type { FastifyInstance } from 'fastify'
import { CHARACTERS, type Character } from '../catalog/characters.js'
import { sendJson, type EmulatorContext } from '../context.js'
import { authenticate } from '../http/auth.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'

const MODEL_TYPES = new Set(['asr', 'embedding', 'image', 'music', 'text', 'tts', 'upscale', 'inpaint', 'video', 'all', 'code'])

function typeParam(query: unknown, fallback: string): string {
  const type = (query as { type?: string }).type ?? fallback
  if (!MODEL_TYPES.has(type))
    throw new VeniceHttpError(400, MESSAGES.invalidRequest, { details: { _errors: [], type: { _errors: [`Invalid enum value '${type}'`] } } })
  return type
}

/** A character in the spec's list/detail shape. */
export function describeCharacter(c: Character, created: string) {
  return {
    adult: false,
    author: 'Venice',
    createdAt: created,
    description: c.description,
    featured: true,
    id: c.slug,
    name: c.name,
    shareUrl: `https://venice.ai/c/${c.slug}`,
    photoUrl: `https://venice.ai/images/characters/${c.slug}.png`,
    slug: c.slug,
    stats: { averageRating: 4.5, imports: 0, ratingCount: 2, ratingSum: 9, userRating: null },
    tags: c.tags,
    updatedAt: created,
    webEnabled: false,
    modelId: c.modelId,
  }
}

/** Registers the catalogue routes. */
export function registerCatalogRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/api/v1/models', async (request, reply) => {
    const type = typeParam(request.query, 'text')
    const data =
      type === 'all'
        ? ctx.catalog.models
        : type === 'code'
          ? ctx.catalog.models.filter((m) => m.model_spec.capabilities?.optimizedForCode === true)
          : ctx.catalog.models.filter((m) => m.type === type)
    return sendJson(reply, 200, { object: 'list', type, data })
  })
  app.get('/api/v1/models/traits', async (request, reply) => {
    const type = typeParam(request.query, 'text')
    const data = ctx.catalog.traitsByType.get(type) ?? {}
    return sendJson(reply, 200, { object: 'list', type, data })
  })
  app.get('/api/v1/models/compatibility_mapping', async (request, reply) => {
    const type = typeParam(request.query, 'text')
    const data = Object.fromEntries(Object.entries(ctx.catalog.compatibility).filter(([, id]) => type === 'all' || ctx.catalog.byId.get(id)?.type === type))
    return sendJson(reply, 200, { object: 'list', type, data })
  })
  const created = new Date(Date.UTC(2025, 0, 1)).toISOString()
  const anyKey = { preHandler: authenticate(ctx, 'inference') }
  app.get('/api/v1/characters', anyKey, async (_request, reply) =>
    sendJson(reply, 200, { object: 'list', data: CHARACTERS.map((c) => describeCharacter(c, created)) }),
  )
  app.get('/api/v1/characters/:slug', anyKey, async (request, reply) => {
    const c = CHARACTERS.find((x) => x.slug === (request.params as { slug: string }).slug)
    if (!c) throw new VeniceHttpError(404, MESSAGES.characterNotFound, { code: 'CHARACTER_NOT_FOUND' })
    return sendJson(reply, 200, { object: 'character', data: describeCharacter(c, created) })
  })
}
