/**
 * `/embeddings`, `/image/generate` and `/audio/speech` with small deterministic outputs, metered
 * like chat (rate limits, 402, charging).
 */
import type { FastifyInstance } from 'fastify'
import { payerOf, sendJson, validateBody, type EmulatorContext } from '../context.js'
import { authenticate } from '../http/auth.js'
import { siwxOrDiscovery } from '../x402/siwxAuth.js'
import { VeniceHttpError, MESSAGES } from '../http/VeniceHttpError.js'
import { embed, silentMp3, solidImage, tonePcm, wav } from '../media.js'
import { countTokens } from '../model/tokens.js'
import { beginInference, finishInference, resolveFor } from './inference.js'

type EmbeddingBody = { input: string | string[]; model: string; dimensions?: number; encoding_format?: 'float' | 'base64' }
type ImageBody = {
  model: string
  prompt: string
  format?: 'png' | 'jpeg' | 'webp'
  return_binary?: boolean
  variants?: number
  width?: number
  height?: number
}
type SpeechBody = { input: string; model?: string; response_format?: string; voice?: string }

const price = (pricing: unknown, ...path: string[]): number => {
  let node = pricing as Record<string, unknown> | undefined
  for (const p of path) node = node?.[p] as Record<string, unknown> | undefined
  return typeof node === 'number' ? node : 0
}

/** Registers the media routes. */
export function registerMediaRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const inference = { preHandler: authenticate(ctx, 'inference', { withoutBearer: siwxOrDiscovery(ctx) }) }

  app.post('/api/v1/embeddings', inference, async (request, reply) => {
    const payer = payerOf(request)
    const body = validateBody<EmbeddingBody>(ctx, '/embeddings', 'post', request.body)
    const { model } = resolveFor(ctx, body.model, ['embedding'])
    if (!(await beginInference(ctx, request, reply, payer, model))) return reply
    const inputs = Array.isArray(body.input) ? body.input : [body.input]
    const dims = body.dimensions ?? 1024
    const tokens = inputs.reduce((n, s) => n + countTokens(s), 0)
    await finishInference(ctx, reply, payer, model, { promptTokens: tokens, completionTokens: 0, kind: 'embedding' })
    const data = inputs.map((text, index) => {
      const vector = embed(text, dims)
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector
      return { object: 'embedding', index, embedding }
    })
    return sendJson(reply, 200, { object: 'list', model: model.id, data, usage: { prompt_tokens: tokens, total_tokens: tokens } })
  })

  app.post('/api/v1/image/generate', inference, async (request, reply) => {
    const payer = payerOf(request)
    const body = validateBody<ImageBody>(ctx, '/image/generate', 'post', request.body)
    const { model } = resolveFor(ctx, body.model, ['image'])
    if (!(await beginInference(ctx, request, reply, payer, model))) return reply
    const variants = body.variants ?? 1
    await finishInference(ctx, reply, payer, model, {
      promptTokens: countTokens(body.prompt),
      completionTokens: 0,
      kind: 'image',
      costUsd: price(model.model_spec.pricing, 'generation', 'usd') * variants,
    })
    // The spec's default format is webp; the bytes are that format at the requested size.
    const format = body.format ?? 'webp'
    const images = await Promise.all(
      Array.from({ length: variants }, (_, i) => solidImage(`${body.prompt}#${i}`, format, body.width ?? 1024, body.height ?? 1024)),
    )
    if (body.return_binary) return reply.code(200).header('content-type', `image/${format}`).send(images[0])
    return sendJson(reply, 200, {
      id: `generate-image-${ctx.clock.now().toString(36)}`,
      images: images.map((b) => b.toString('base64')),
      request: null,
      timing: { inferenceDuration: 1, inferencePreprocessingTime: 0, inferenceQueueTime: 0, total: 1 },
    })
  })

  app.post('/api/v1/audio/speech', inference, async (request, reply) => {
    const payer = payerOf(request)
    const body = validateBody<SpeechBody>(ctx, '/audio/speech', 'post', request.body)
    const { model } = resolveFor(ctx, body.model ?? 'tts-kokoro', ['tts'])
    const format = body.response_format ?? 'mp3'
    if (!['mp3', 'wav', 'pcm'].includes(format)) {
      throw new VeniceHttpError(400, MESSAGES.invalidRequest, {
        details: { _errors: [], response_format: { _errors: [`Format ${format} is not supported by ${model.id}`] } },
      })
    }
    if (!(await beginInference(ctx, request, reply, payer, model))) return reply
    await finishInference(ctx, reply, payer, model, {
      promptTokens: countTokens(body.input),
      completionTokens: 0,
      kind: 'tts',
      costUsd: (price(model.model_spec.pricing, 'input', 'usd') * body.input.length) / 1_000_000,
    })
    const pcm = tonePcm(body.input)
    const [type, bytes] =
      format === 'wav'
        ? ['audio/wav', wav(pcm)]
        : format === 'pcm'
          ? ['audio/pcm', pcm]
          : ['audio/mpeg', silentMp3(Math.max(4, Math.ceil(body.input.length / 8)))]
    return reply.code(200).header('content-type', type).send(bytes)
  })
}
