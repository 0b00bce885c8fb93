/**
 * What every inference route does around its work: model resolution, the `x-venice-model-id` and
 * deprecation headers, rate limits (429), the balance and key-limit check (402), injected faults,
 * and afterwards charging the account and counting tokens.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { priceOf, resolveModel, type ModelEntry, type ResolvedModel } from '../catalog/models.js'
import type { EmulatorContext, Payer } from '../context.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { insufficientBody, paymentRequiredHeader, requestUrl } from '../x402/paymentRequired.js'

/**
 * Resolves `requested` to a model of one of `types`, or throws Venice's 400.
 *
 * @example
 * ```ts
 * const { model, suffix } = resolveFor(ctx, 'fastest', ['text'])
 * ```
 */
export function resolveFor(ctx: EmulatorContext, requested: string | undefined, types: readonly string[]): ResolvedModel {
  const resolved = requested ? resolveModel(ctx.catalog, requested, types[0]) : undefined
  if (!resolved || !types.includes(resolved.model.type)) {
    throw new VeniceHttpError(400, MESSAGES.modelNotFound, {
      details: { _errors: [], model: { _errors: [`Model "${requested ?? ''}" is not a ${types.join('/')} model`] } },
    })
  }
  return resolved
}

/** Headers naming the model (`x-venice-model-id`, `x-venice-model-name`) and warning when it is deprecated. */
export function modelHeaders(model: ModelEntry): Record<string, string> {
  const headers: Record<string, string> = { 'x-venice-model-id': model.id, 'x-venice-model-name': model.model_spec.name ?? model.id }
  const dep = model.model_spec.deprecation
  if (dep) {
    headers['x-venice-model-deprecation-warning'] =
      `The model ${model.id} is deprecated and will be removed on ${dep.removesAt ?? dep.date}. Please migrate to another model.`
    headers['x-venice-model-deprecation-date'] = dep.date
  }
  return headers
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Runs the checks before inference. Returns false when a fault dropped the connection (the handler
 * must then return without replying).
 */
export async function beginInference(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply, payer: Payer, model: ModelEntry): Promise<boolean> {
  reply.headers(modelHeaders(model))
  const verdict = ctx.limiter.take(payer.owner, model, payer.kind === 'key' ? payer.key.id : 'x402')
  reply.headers(verdict.headers)
  if (verdict.exceeded) throw new VeniceHttpError(429, `${MESSAGES.rateLimited} (${verdict.exceeded})`, { headers: verdict.headers })
  if (payer.kind === 'wallet') assertX402Credits(ctx, request, payer.owner)
  else await assertKeyCanSpend(ctx, payer.key)
  const fault = ctx.faults.decide('inference')
  if (fault.latencyMs > 0) await sleep(fault.latencyMs)
  if (fault.kind === 'drop') {
    reply.hijack()
    request.raw.socket.destroy()
    return false
  }
  if (fault.kind === 429) throw new VeniceHttpError(429, MESSAGES.rateLimited, { headers: verdict.headers })
  if (fault.kind === 500) throw new VeniceHttpError(500, MESSAGES.inferenceFailed)
  if (fault.kind === 503) throw new VeniceHttpError(503, MESSAGES.atCapacity)
  return true
}

/** A SIWX wallet below the minimum credit balance gets the spec's `PAYMENT_REQUIRED` 402 (and the `PAYMENT-REQUIRED` header). */
function assertX402Credits(ctx: EmulatorContext, request: FastifyRequest, wallet: Payer['owner']): void {
  const balance = ctx.x402.credits.balance(wallet)
  if (balance >= ctx.x402.config.minimumBalanceUsd && balance > 0) return
  const url = requestUrl(request)
  throw new VeniceHttpError(402, 'Payment required', {
    headers: paymentRequiredHeader(ctx.x402.config, url, 'Insufficient x402 balance'),
    body: insufficientBody(ctx.x402.config, url, balance, ctx.clock.now()),
  })
}

async function assertKeyCanSpend(ctx: EmulatorContext, key: Extract<Payer, { kind: 'key' }>['key']): Promise<void> {
  try {
    await ctx.accounts.assertCanSpend(key)
  } catch (err) {
    // The key-limit wording comes from public reports, not the docs: a variant can say it differently.
    const variant = ctx.variants.keyLimitMessage
    if (variant && err instanceof VeniceHttpError && (err.body.error === MESSAGES.diemLimit || err.body.error === MESSAGES.usdLimit))
      throw new VeniceHttpError(402, variant)
    throw err
  }
}

let x402Seq = 0

/**
 * Charges a finished request at the model's price (one price for both rails): a key pays Diem then
 * USD; a SIWX wallet pays from its x402 credits, and the response carries `X-Balance-Remaining`.
 * Counts the tokens against TPM.
 *
 * @returns the cost split, for the response's `cost` field.
 */
export async function finishInference(
  ctx: EmulatorContext,
  reply: FastifyReply,
  payer: Payer,
  model: ModelEntry,
  usage: { promptTokens: number; completionTokens: number; kind: string; costUsd?: number; requestId?: string },
): Promise<{ diem: number; usd: number }> {
  ctx.limiter.addTokens(payer.owner, model, usage.promptTokens + usage.completionTokens)
  const cost = usage.costUsd ?? priceOf(model, usage.promptTokens, usage.completionTokens)
  if (payer.kind === 'wallet') {
    const requestId = usage.requestId ?? `${usage.kind}-x402-${++x402Seq}`
    const usd = ctx.x402.credits.charge(payer.owner, cost, { requestId, modelId: model.id })
    // The spec's example is "4.230000": USD with 6 decimals.
    reply.header('X-Balance-Remaining', ctx.x402.credits.balance(payer.owner).toFixed(6))
    return { diem: 0, usd }
  }
  const key = payer.key
  return ctx.accounts.charge(key, cost, {
    model: model.id,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    kind: usage.kind,
    ...(usage.requestId ? { requestId: usage.requestId } : {}),
  })
}
