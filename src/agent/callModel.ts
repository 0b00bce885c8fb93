import type OpenAI from 'openai'
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions'
import {
  InsufficientBalanceError,
  InternalServerError,
  APIConnectionError,
  RateLimitError,
  toVeniceError,
  VeniceAPIError,
  type HeadersLike,
} from '../venice/errors.js'
import { parseVeniceHeaders, parseVeniceHeadersOnce, type VeniceHeaders } from '../venice/headers.js'
import { retryDelayMs } from '../util/retry.js'
import { abortScope, sleep as realSleep } from '../util/sleep.js'
import type { BalanceMonitor } from './balanceMonitor.js'
import type { FundingController, FundingOutcome } from './funding.js'
import { classify402, looksLikeKeyLimit, type InsufficientVerdict } from './keyLimit.js'
import type { RateLimiter } from './rateLimiter.js'
import { recordRateLimited } from '../telemetry/record.js'

/** Venice's extension of the chat request. */
export type VeniceParameters = {
  character_slug?: string | undefined
  strip_thinking_response?: boolean | undefined
  disable_thinking?: boolean | undefined
  enable_web_search?: 'off' | 'on' | 'auto' | undefined
  enable_web_scraping?: boolean | undefined
  enable_web_citations?: boolean | undefined
  include_venice_system_prompt?: boolean | undefined
  [k: string]: unknown
}

/** A chat request with `venice_parameters`. */
export type VeniceChatParams = ChatCompletionCreateParamsNonStreaming & { venice_parameters?: VeniceParameters | undefined }

/** What one model call needs around it; every part is optional and shared across agents where it makes sense. */
export type CallContext = {
  openai: OpenAI
  limiter?: RateLimiter | undefined
  monitor?: BalanceMonitor | undefined
  funding?: FundingController | undefined
  /** Retries for 408/409/5xx/connection failures (the shared retry policy: Retry-After, else 0.5→8 s with jitter). Default 4. */
  maxServerRetries?: number | undefined
  /** Waits after a 429 before giving up (the limiter holds each until the reset). Default 6. */
  maxRateLimitRetries?: number | undefined
  /** Top-ups tried for one call that keeps getting 402. Default 1. */
  maxTopUpsPerCall?: number | undefined
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
  random?: (() => number) | undefined
  /**
   * Called when a 402 is the *key's* own consumption limit (see `classify402`): topping up the account
   * cannot help, so the runner rotates or re-limits the key. Resolve true to retry.
   */
  onKeyLimit?: ((detail: string) => Promise<boolean>) | undefined
  /**
   * Decides what a 402 means from data (the runner reads the key's record). Default: `classify402` on the
   * 402's balance headers and message alone. Only an `account` verdict may start a top-up.
   */
  classify402?:
    | ((info: { balanceDiem: number | undefined; balanceUsd: number | undefined; message: string | undefined }) => Promise<InsufficientVerdict>)
    | undefined
  /** Called after each funding attempt made because of a 402. */
  onFunding?: ((outcome: FundingOutcome) => void) | undefined
}

/** The call's result with Venice's headers. */
export type ModelCallResult = { completion: ChatCompletion; headers: VeniceHeaders; retries: number }

/**
 * One chat completion through the shared limiter, with Venice's error semantics: a 429 waits (in the
 * limiter) until `x-ratelimit-reset-requests`; 500/503/504 and connection failures back off
 * exponentially with jitter; a 402 is classified from data: the key's own limit goes to `onKeyLimit`
 * (never a top-up), an empty account runs the funding path (in code, not the model) and, if topped up,
 * the call is retried; an unexplained 402 spends nothing. Headers feed the limiter and the balance monitor at no extra request.
 *
 * @throws {VeniceAPIError} when retries are exhausted, or a 402 could not be funded (the funding outcome is in `metaMessages`).
 *
 * @example
 * ```ts
 * const { completion, headers } = await callModel({ openai: venice.openai, limiter }, { model: 'qwen3-4b', messages }, signal)
 * ```
 */
export async function callModel(ctx: CallContext, params: VeniceChatParams, signal?: AbortSignal): Promise<ModelCallResult> {
  const sleep = ctx.sleep ?? realSleep
  let serverRetries = 0
  let rateRetries = 0
  let topUps = 0
  for (let retries = 0; ; retries++) {
    const ticket = await ctx.limiter?.acquire(signal)
    try {
      const { data, response } = await createCompletion(ctx.openai, params, signal)
      const headers = parseVeniceHeadersOnce(response.headers)
      ticket?.done(headers, response.status)
      ctx.monitor?.observeHeaders(headers, response.status)
      return { completion: data, headers, retries }
    } catch (e) {
      const err = toVeniceError(e)
      const status = err instanceof VeniceAPIError ? err.status : undefined
      const headers = err instanceof VeniceAPIError && err.headers ? parseVeniceHeaders(err.headers) : undefined
      ticket?.done(headers, status)
      // A 402 marks the monitor exhausted (which funds the account) only once it is known to be the account's.
      if (headers) ctx.monitor?.observeHeaders(headers, status === 402 ? undefined : status)
      if (signal?.aborted) throw err
      if (err instanceof RateLimitError) recordRateLimited(params.model)
      if (err instanceof RateLimitError && rateRetries++ < (ctx.maxRateLimitRetries ?? 6)) {
        // Without a limiter, wait here for the reset ourselves.
        if (!ctx.limiter) await sleep(waitFor429(headers, rateRetries - 1, err instanceof VeniceAPIError ? err.headers : undefined), signal)
        continue
      }
      if (isTransient(err, status) && serverRetries < (ctx.maxServerRetries ?? 4)) {
        await sleep(
          retryDelayMs({ attempt: serverRetries++, headers: err instanceof VeniceAPIError ? err.headers : undefined, now: Date.now(), random: ctx.random }),
          signal,
        )
        continue
      }
      if (err instanceof InsufficientBalanceError) {
        const info = { balanceDiem: headers?.balanceDiem, balanceUsd: headers?.balanceUsd, message: err.serverMessage }
        const verdict = ctx.classify402 ? await ctx.classify402(info) : classify402(info)
        if (verdict.cause !== 'account') {
          if (verdict.cause === 'key_limit' && ctx.onKeyLimit && topUps++ < (ctx.maxTopUpsPerCall ?? 1) && (await ctx.onKeyLimit(verdict.reason))) continue
          throw new InsufficientBalanceError(err.shortMessage, {
            status: 402,
            headers: err.headers,
            body: err.body,
            cause: new Error(`402 read as ${verdict.cause === 'key_limit' ? "the key's own limit" : 'unexplained'}: ${verdict.reason}; no top-up`),
          })
        }
        if (headers) ctx.monitor?.observeHeaders(headers, 402)
      }
      if (err instanceof InsufficientBalanceError && ctx.funding && topUps++ < (ctx.maxTopUpsPerCall ?? 1)) {
        const outcome = await ctx.funding.maybeTopUp('402', { force: true })
        ctx.onFunding?.(outcome)
        if (outcome.action === 'topped_up') continue
        throw new InsufficientBalanceError(err.shortMessage, {
          status: 402,
          headers: err.headers,
          body: err.body,
          cause: new Error(`Top-up ${outcome.action}: ${'refusal' in outcome ? outcome.refusal : 'error' in outcome ? outcome.error : ''}`),
        })
      }
      throw err
    }
  }
}

/**
 * One SDK call on a signal of its own: the openai SDK adds an abort listener to the signal it is given and never
 * removes it, so handing it the caller's long-lived signal (a scheduler's, shared by every run) leaked one listener
 * per call (issue #26: `MaxListenersExceededWarning: 11 abort listeners` after 11 scheduled runs).
 */
async function createCompletion(openai: OpenAI, params: VeniceChatParams, signal: AbortSignal | undefined) {
  const scope = abortScope(signal)
  try {
    return await openai.chat.completions.create(params, { signal: scope.signal, maxRetries: 0 }).withResponse()
  } finally {
    scope.release()
  }
}

/** Whether a 402 message sounds like a key's own limit. A hint only: use `classify402` to decide. */
export const isKeyLimit = looksLikeKeyLimit

/** The shared policy's retryable failures other than 429 (which the limiter waits out): 408, 409, 5xx, no answer. */
function isTransient(err: unknown, status: number | undefined): boolean {
  return err instanceof InternalServerError || err instanceof APIConnectionError || status === 408 || status === 409 || (status !== undefined && status >= 500)
}

/** Without a limiter: the shared policy's wait (Retry-After, else the window's reset), at least 1 s when Venice says nothing. */
function waitFor429(h: VeniceHeaders | undefined, attempt: number, headers: HeadersLike): number {
  return retryDelayMs({ attempt, headers, now: Date.now(), resetAtMs: h?.resetRequestsAtMs, initialMs: 1000 })
}
