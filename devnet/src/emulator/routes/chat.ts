/**
 * `POST /chat/completions`: OpenAI-compatible chat on the local model, non-streaming or SSE
 * (with a final usage chunk when `stream_options.include_usage`), `venice_parameters` echoed.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { payerOf, sendJson, validateBody, type EmulatorContext } from '../context.js'
import { authenticate } from '../http/auth.js'
import { siwxOrDiscovery } from '../x402/siwxAuth.js'
import { CHARACTERS } from '../catalog/characters.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { generate, type ChatRequest, type Completion } from '../model/respond.js'
import { promptTokens } from '../model/tokens.js'
import { beginInference, finishInference, resolveFor } from './inference.js'

const VENICE_DEFAULTS = {
  enable_e2ee: false,
  enable_web_search: 'off',
  enable_web_citations: false,
  enable_web_scraping: false,
  include_venice_system_prompt: true,
  include_search_results_in_stream: false,
  return_search_results_as_documents: false,
  strip_thinking_response: false,
  disable_thinking: false,
} as const

/** The `venice_parameters` echoed in a response: defaults, then the model suffix, then the request's. */
export function echoVeniceParameters(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...VENICE_DEFAULTS }
  for (const [k, v] of Object.entries(params)) {
    if (k in VENICE_DEFAULTS && typeof v === typeof VENICE_DEFAULTS[k as keyof typeof VENICE_DEFAULTS]) out[k] = v
    if (k === 'character_slug' && typeof v === 'string') out[k] = v
  }
  return out
}

/** Registers `POST /api/v1/chat/completions`. */
export function registerChatRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/api/v1/chat/completions', { preHandler: authenticate(ctx, 'inference', { withoutBearer: siwxOrDiscovery(ctx) }) }, async (request, reply) => {
    const payer = payerOf(request)
    const body = validateBody<ChatRequest>(ctx, '/chat/completions', 'post', request.body)
    const { model, suffix } = resolveFor(ctx, body.model, ['text'])
    const params = { ...suffix, ...body.venice_parameters }
    const slug = params.character_slug
    if (slug !== undefined && !CHARACTERS.some((c) => c.slug === slug))
      throw new VeniceHttpError(404, MESSAGES.characterNotFound, { code: 'CHARACTER_NOT_FOUND' })
    if (!(await beginInference(ctx, request, reply, payer, model))) return reply
    const script = ctx.scripts.shift(payer.scriptId)
    if (script?.status) throw new VeniceHttpError(script.status, script.error ?? 'Scripted error')
    const now = ctx.clock.now()
    const completion = generate(body, model, params, script, now)
    const prompt = promptTokens(body.messages, body.tools ?? undefined)
    // 32 random hex digits, like before; randomUUID draws from a pooled entropy cache (randomBytes(16) was a syscall per request).
    const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`
    const cost = await finishInference(ctx, reply, payer, model, {
      promptTokens: prompt,
      completionTokens: completion.completionTokens,
      kind: 'chat',
      requestId: id,
    })
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: completion.completionTokens,
      total_tokens: prompt + completion.completionTokens,
      prompt_tokens_details: null,
    }
    const created = Math.floor(now / 1000)
    const venice_parameters = echoVeniceParameters(params)
    if (body.stream) {
      reply.code(200).header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache')
      // One string for the whole stream: at zero latency the chunks would all be written at once anyway,
      // and a Readable of small strings spent 18 % of the SSE path in GC (issue #18 item 6).
      return reply.send(sseBody({ id, created, model: model.id }, completion, body.stream_options?.include_usage ? usage : undefined))
    }
    return sendJson(reply, 200, {
      id,
      object: 'chat.completion',
      created,
      model: model.id,
      choices: [
        {
          index: 0,
          finish_reason: completion.finishReason,
          logprobs: null,
          stop_reason: null,
          message: { role: 'assistant', content: completion.content, reasoning_content: completion.reasoning, tool_calls: completion.toolCalls },
        },
      ],
      usage,
      cost,
      prompt_logprobs: null,
      venice_parameters,
    })
  })
}

type Head = { id: string; created: number; model: string }

/**
 * The whole SSE body of a completion (`streamChunks` as `data:` events, then `[DONE]`), serialised with
 * the head written once instead of once per chunk. Byte-identical to stringifying each chunk.
 *
 * @example
 * ```ts
 * reply.send(sseBody({ id, created, model: 'qwen3-4b' }, completion))
 * ```
 */
export function sseBody(head: Head, c: Completion, usage?: Record<string, unknown>): string {
  const prefix = `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk' }).slice(0, -1)},"choices":`
  const open = `${prefix}[{"index":0,"delta":`
  let out = ''
  const chunk = (delta: string, finish: string | null = null) => {
    out += `${open}${delta},"finish_reason":${JSON.stringify(finish)},"logprobs":null}]}\n\n`
  }
  chunk('{"role":"assistant","content":""}')
  if (c.reasoning) chunk(`{"reasoning_content":${JSON.stringify(c.reasoning)}}`)
  for (const piece of c.content?.match(/[\s\S]{1,24}/g) ?? []) chunk(`{"content":${JSON.stringify(piece)}}`)
  c.toolCalls.forEach((t, index) =>
    chunk(JSON.stringify({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.function.name, arguments: t.function.arguments } }] })),
  )
  chunk('{}', c.finishReason)
  if (usage) out += `${prefix}[],"usage":${JSON.stringify(usage)}}\n\n`
  return `${out}data: [DONE]\n\n`
}

/**
 * The SSE chunks of a completion: role, reasoning, content in ~24-character pieces, one chunk per tool
 * call, the finish chunk, then (optionally) a usage chunk with empty `choices`.
 */
export function streamChunks(head: Head, c: Completion, usage?: Record<string, unknown>): Record<string, unknown>[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...head,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  })
  const out = [chunk({ role: 'assistant', content: '' })]
  if (c.reasoning) out.push(chunk({ reasoning_content: c.reasoning }))
  for (const piece of c.content?.match(/[\s\S]{1,24}/g) ?? []) out.push(chunk({ content: piece }))
  c.toolCalls.forEach((t, index) =>
    out.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.function.name, arguments: t.function.arguments } }] })),
  )
  out.push(chunk({}, c.finishReason))
  if (usage) out.push({ ...head, object: 'chat.completion.chunk', choices: [], usage } as never)
  return out
}
