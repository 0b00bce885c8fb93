import { z } from 'zod'
import { chargeOf, ledgerEntryOf } from '../../agent/accounting.js'
import type { LedgerEntry } from '../../agent/ledger.js'
import { defineTool, type AnyTool } from '../../tools/defineTool.js'
import { parseVeniceHeaders, type VeniceHeaders } from '../../venice/headers.js'
import type { VeniceModel } from '../../venice/schemas.js'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import type { McpContext } from '../context.js'
import { recordFailedModelCall, recordingModelCalls, recordModelCall } from '../../telemetry/record.js'
import { toVeniceError, X402PaymentRequiredError } from '../../venice/errors.js'
import type { VeniceClient } from '../../venice/createVeniceClient.js'

/** No model of the asked type (or id) is listed by `/models`. */
export class MediaModelError extends BaseError {
  override name = 'MediaModelError' as const
  override exitCode = ExitCode.usage
}

/** On x402: the wallet's credits are short. The server does not pay on its own; the operator tops up. */
export class McpX402CreditsShortError extends BaseError {
  override name = 'McpX402CreditsShortError' as const
  override exitCode = ExitCode.funds
}

/** Binary content for the MCP layer to send as an image or audio block (never as JSON text). */
export type MediaBlock = { type: 'image' | 'audio'; data: string; mimeType: string }

const round = (n: number) => Math.round(n * 1e9) / 1e9

/**
 * Venice tools on the server's own limited INFERENCE key (or, with `pay: 'x402'`, signed in with SIWX by the wallet
 * and debited from its x402 credits: results then carry `costUsd` and `creditsLeftUsd`): `venice_chat`, `venice_image`, `venice_speech`,
 * `venice_embeddings`. Each result carries the call's cost in Diem (from `/models` prices), and each call is
 * appended to the spend ledger.
 *
 * @example
 * ```ts
 * const tools = veniceTools(ctx) // venice_chat { prompt: 'Hello' } → { text, costDiem, … }
 * ```
 */
export function veniceTools(ctx: McpContext): AnyTool[] {
  // Runs one Venice call on the tools' client; on x402 a 402 (credits short) says how to top up instead.
  const onVenice = async <T>(fn: (venice: VeniceClient) => Promise<T>): Promise<T> => {
    const venice = await ctx.inference()
    try {
      return await fn(venice)
    } catch (err) {
      throw ctx.pay === 'x402' ? creditsShort(err) : err
    }
  }
  // What a call cost, as the result reports it: Diem then USD on a key; on x402 all of it in USD, and the credits left.
  const costOf = (costDiem: number, costUsd: number) =>
    ctx.pay === 'x402'
      ? { costUsd: round(costDiem + costUsd), creditsLeftUsd: ctx.credits.figure()?.balanceUsd ?? null }
      : { costDiem: round(costDiem), costUsd: round(costUsd) }
  const modelOf = async (type: string, id: string | undefined): Promise<VeniceModel> => {
    const models = await onVenice((v) => v.listModels({ type }))
    const model = id ? models.find((m) => m.id === id) : models[0]
    if (!model) throw new MediaModelError(id ? `Venice lists no ${type} model "${id}".` : `Venice lists no ${type} model.`, { code: 'MCP_NO_MODEL' })
    return model
  }
  const charge = async (model: string, costDiemTotal: number, headers: VeniceHeaders, promptTokens: number): Promise<LedgerEntry> => {
    const costDiem = headers.balanceDiem === undefined ? costDiemTotal : Math.min(costDiemTotal, Math.max(0, headers.balanceDiem))
    const entry: LedgerEntry = {
      ts: new Date(ctx.now()).toISOString(),
      agent: ctx.agent,
      key: (await ctx.inference()).keyHint,
      model,
      promptTokens,
      completionTokens: 0,
      costDiem,
      costUsd: costDiemTotal - costDiem,
      balanceDiemBefore: headers.balanceDiem,
      balanceDiemAfter: headers.balanceDiem === undefined ? undefined : headers.balanceDiem - costDiem,
      balanceUsdBefore: headers.balanceUsd,
      balanceUsdAfter: headers.balanceUsd,
      requestId: headers.requestId,
      completionId: undefined,
    }
    await ctx.ledger.append(entry)
    return entry
  }
  // REST media calls go through the client; its last response headers are read here for the balance split.
  const withHeaders = async <T>(fn: (venice: VeniceClient) => Promise<T>): Promise<{ value: T; headers: VeniceHeaders }> => {
    const value = await onVenice(fn)
    return { value, headers: ctx.lastHeaders() }
  }

  return [
    defineTool({
      name: 'venice_chat',
      description:
        "Asks a Venice text model (or a Venice character) one question on the server's own limited key (or, with --pay x402, its wallet's x402 credits); returns the answer and what it cost (Diem, or USD and the credits left).",
      schema: z.object({
        prompt: z.string().min(1).max(32_000).describe('The user message.'),
        system: z.string().max(32_000).optional().describe('Optional system prompt.'),
        model: z.string().max(200).optional().describe('A model id or trait from /models (default: the "default" trait).'),
        characterSlug: z.string().max(200).optional().describe('A Venice character slug to answer as (see the characters resource).'),
        maxTokens: z.number().int().min(1).max(32_000).optional().describe('Cap on completion tokens.'),
      }),
      handler: async ({ prompt, system, model, characterSlug, maxTokens }, tctx) => {
        const resolved = await onVenice(async () => (await ctx.prices()).resolve(model ?? 'default'))
        const params = {
          model: resolved.requestModel,
          messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }],
          ...(maxTokens ? { max_completion_tokens: maxTokens } : {}),
          ...(characterSlug ? { venice_parameters: { character_slug: characterSlug } } : {}),
        }
        const venice = await ctx.inference()
        const span = { agent: ctx.agent, keyHint: venice.keyHint, requestModel: resolved.requestModel, startTime: Date.now(), baseURL: venice.openai.baseURL }
        const called = await venice.openai.chat.completions
          .create(params as never, { signal: tctx.signal })
          .withResponse()
          .catch((error: unknown) => {
            recordFailedModelCall({ ...span, error })
            throw ctx.pay === 'x402' ? creditsShort(error) : error
          })
        const { data, response } = called
        const headers = parseVeniceHeaders(response.headers)
        const c = chargeOf(data, resolved.price, headers)
        if (recordingModelCalls()) recordModelCall({ ...span, completion: data, charge: c, headers })
        await ctx.ledger.append(ledgerEntryOf({ agent: ctx.agent, key: venice.keyHint, model: resolved.id, charge: c, headers, completion: data }))
        return {
          text: data.choices[0]?.message?.content ?? '',
          model: data.model || resolved.id,
          usage: { promptTokens: c.promptTokens, completionTokens: c.completionTokens },
          ...costOf(c.costDiem, c.costUsd),
          ...(ctx.pay === 'x402' ? {} : { balanceDiemAfter: headers.balanceDiem === undefined ? null : round(headers.balanceDiem - c.costDiem) }),
        }
      },
    }),
    defineTool({
      name: 'venice_image',
      description: "Generates one image with a Venice image model on the server's own key; returns the image and its cost in Diem.",
      schema: z.object({
        prompt: z.string().min(1).max(1500).describe('What the image should show.'),
        model: z.string().max(200).optional().describe('An image model id from /models?type=image (default: the first listed).'),
        width: z.number().int().min(64).max(1280).optional().describe('Width in pixels (default 1024).'),
        height: z.number().int().min(64).max(1280).optional().describe('Height in pixels (default 1024).'),
      }),
      handler: async ({ prompt, model, width, height }, tctx) => {
        const m = await modelOf('image', model)
        const { value, headers } = await withHeaders((v) =>
          v.generateImage({ model: m.id, prompt, width: width ?? 1024, height: height ?? 1024, format: 'png' }, { signal: tctx.signal }),
        )
        const entry = await charge(m.id, priceAt(m, 'generation') * value.images.length, headers, 0)
        const media: MediaBlock[] = value.images.map((data) => ({ type: 'image', data, mimeType: 'image/png' }))
        return { model: m.id, images: value.images.length, ...costOf(entry.costDiem, entry.costUsd), media }
      },
    }),
    defineTool({
      name: 'venice_speech',
      description: "Turns text into speech (mp3) with a Venice TTS model on the server's own key; returns the audio and its cost in Diem.",
      schema: z.object({
        text: z.string().min(1).max(4096).describe('The words to speak.'),
        model: z.string().max(200).optional().describe('A TTS model id from /models?type=tts (default: the first listed).'),
        voice: z.string().max(100).optional().describe('A voice name the model supports.'),
      }),
      handler: async ({ text, model, voice }, tctx) => {
        const m = await modelOf('tts', model)
        const { value, headers } = await withHeaders((v) =>
          v.speech({ input: text, model: m.id, response_format: 'mp3', ...(voice ? { voice } : {}) }, { signal: tctx.signal }),
        )
        const entry = await charge(m.id, (priceAt(m, 'input') * text.length) / 1_000_000, headers, 0)
        const media: MediaBlock[] = [{ type: 'audio', data: Buffer.from(value).toString('base64'), mimeType: 'audio/mpeg' }]
        return { model: m.id, bytes: value.byteLength, ...costOf(entry.costDiem, entry.costUsd), media }
      },
    }),
    defineTool({
      name: 'venice_embeddings',
      description: "Embeds one or more texts with a Venice embedding model on the server's own key; returns the vectors and their cost in Diem.",
      schema: z.object({
        input: z
          .union([z.string().min(1).max(32_000), z.array(z.string().min(1).max(32_000)).min(1).max(64)])
          .describe('A text, or a list of texts, to embed.'),
        model: z.string().max(200).optional().describe('An embedding model id from /models?type=embedding (default: the first listed).'),
        dimensions: z.number().int().min(1).max(4096).optional().describe('Vector size, when the model supports it.'),
      }),
      handler: async ({ input, model, dimensions }, tctx) => {
        const m = await modelOf('embedding', model)
        const { data, response } = await onVenice((v) =>
          v.openai.embeddings.create({ model: m.id, input, ...(dimensions ? { dimensions } : {}) }, { signal: tctx.signal }).withResponse(),
        )
        const tokens = data.usage?.prompt_tokens ?? 0
        const entry = await charge(m.id, (priceAt(m, 'input') * tokens) / 1_000_000, parseVeniceHeaders(response.headers), tokens)
        return { model: m.id, vectors: data.data.map((d) => d.embedding), tokens, ...costOf(entry.costDiem, entry.costUsd) }
      },
    }),
  ]
}

function priceAt(model: VeniceModel, field: string): number {
  const node = (model.model_spec?.pricing as Record<string, { diem?: number }> | undefined)?.[field]
  return typeof node?.diem === 'number' ? node.diem : 0
}

/**
 * A 402 on x402 as the tool error the caller can act on: the credits left and the top-up command. Any other error
 * passes through unchanged.
 */
function creditsShort(err: unknown): unknown {
  const e = toVeniceError(err)
  if (!(e instanceof X402PaymentRequiredError)) return err
  const usd = Math.max(5, Math.ceil(e.suggestedTopUpUsd ?? e.minimumTopUpUsd ?? 5))
  const left = e.currentBalanceUsd === undefined ? '' : ` ($${e.currentBalanceUsd} left)`
  return new McpX402CreditsShortError(`The wallet's x402 credits are short${left}; this server does not top them up on its own.`, {
    cause: e,
    metaMessages: [`Top up under the spend policy: gondola x402 topup --usd ${usd}`],
    code: 'MCP_X402_CREDITS_SHORT',
  })
}
