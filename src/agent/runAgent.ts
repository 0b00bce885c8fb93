import type { ChatCompletionMessageParam, ChatCompletionMessageFunctionToolCall, ChatCompletionTool } from 'openai/resources/chat/completions'
import { BaseError } from '../errors/BaseError.js'
import type { AnyTool } from '../tools/defineTool.js'
import { toOpenAITool } from '../tools/defineTool.js'
import { runToolCall } from '../tools/runToolCall.js'
import type { VeniceClient } from '../venice/createVeniceClient.js'
import { InsufficientBalanceError } from '../venice/errors.js'
import type { BalanceMonitor } from './balanceMonitor.js'
import { callModel, type CallContext, type VeniceChatParams, type VeniceParameters } from './callModel.js'
import type { Ledger } from './ledger.js'
import { createPriceBook, costOf, type PriceBook } from './pricing.js'
import { mapBounded, estimateTokens } from './util.js'
import { chargeOf, ledgerEntryOf } from './accounting.js'
import { recordFailedModelCall, recordingModelCalls, recordModelCall, traceAgentRun, traceToolCall } from '../telemetry/record.js'
import { tracingEnabled } from '../telemetry/instruments.js'

/** Why a run ended. */
export type RunStatus = 'completed' | 'max_steps' | 'budget' | 'aborted' | 'insufficient_balance' | 'error'

/** Options of `runAgent`. Shared parts (limiter, monitor, funding, prices, ledger) come from the runner. */
export type RunAgentOptions = Omit<CallContext, 'openai'> & {
  venice: VeniceClient
  agent: string
  /** The user's message, or a whole conversation to continue. */
  prompt: string | ChatCompletionMessageParam[]
  system?: string | undefined
  /** Model id, feature-suffixed id, or trait. Default: the character's model, else `function_calling_default` with tools, else `default`. */
  model?: string | undefined
  characterSlug?: string | undefined
  veniceParameters?: VeniceParameters | undefined
  tools?: readonly AnyTool[] | undefined
  /** Tool calls of one step run concurrently, at most this many at once. Default 4. */
  toolConcurrency?: number | undefined
  /** Model calls per run. Default 10. */
  maxSteps?: number | undefined
  /** Stop before a call would take the run's estimated spend over this many Diem (usd counts 1:1). */
  budgetDiem?: number | undefined
  maxTokens?: number | undefined
  temperature?: number | undefined
  signal?: AbortSignal | undefined
  prices?: PriceBook | undefined
  ledger?: Ledger | undefined
}

/** What a run did. */
export type RunResult = {
  status: RunStatus
  output: string | undefined
  steps: number
  toolCalls: number
  toolErrors: number
  model: string
  promptTokens: number
  completionTokens: number
  costDiem: number
  costUsd: number
  messages: ChatCompletionMessageParam[]
  error?: BaseError | undefined
  /**
   * Set by the agent host when funding failed during the run (a top-up attempted and failed: network 5, funds 6),
   * or when the policy refused the automatic top-up the run needed (policy 4). `gondola run` exits with its code.
   */
  fundingError?: BaseError | undefined
}

/**
 * Runs one agent: a function-calling loop on Venice through the official `openai` SDK. Tool calls of a
 * step run concurrently (bounded); bad calls go back to the model as tool messages; each call's usage ×
 * the model's price is charged against `budgetDiem` and written to the ledger; a 402 runs the funding path
 * and the run continues if it was topped up. Never throws for model, tool or HTTP failures: see `status`.
 *
 * @example
 * ```ts
 * const result = await runAgent({ venice, agent: 'helper', prompt: 'What is my balance?', tools: [getBalanceTool], budgetDiem: 0.5 })
 * result.status // 'completed'
 * ```
 */
export function runAgent(o: RunAgentOptions): Promise<RunResult> {
  return runAgentOn(o, { venice: o.venice, prices: o.prices ?? createPriceBook(o.venice), monitor: o.monitor, ledger: o.ledger, ctx: undefined })
}

/**
 * What a run uses besides its own options: the key's client, price book, monitor and ledger, and (from the
 * runner) a call context built once per key and model. `ctx: undefined` builds one from the run's options.
 */
export type RunServices = {
  venice: VeniceClient
  prices: PriceBook
  monitor: BalanceMonitor | undefined
  ledger: Ledger | undefined
  ctx: CallContext | undefined
}

/** The call-level options a run may set on top of a shared call context. */
const CALL_OVERRIDES = ['maxServerRetries', 'maxRateLimitRetries', 'maxTopUpsPerCall', 'sleep', 'random', 'onFunding'] as const

/**
 * `runAgent` with its shared parts passed apart from the run's options: the runner keeps one `RunServices`
 * per key and model, so a run copies no options object (a spread of every option per run cost about 5 µs a
 * step, issue #18). Options the run sets in `CALL_OVERRIDES` still apply, on a copy of the shared context.
 *
 * @example
 * ```ts
 * const services = { venice, prices: createPriceBook(venice), monitor, ledger, ctx: { openai: venice.openai, limiter, monitor } }
 * const result = await runAgentOn({ agent: 'helper', prompt: 'hi', model: 'qwen3-4b' }, services)
 * ```
 */
export function runAgentOn(o: RunOptions, s: RunServices): Promise<RunResult> {
  return tracingEnabled() ? traceAgentRun(o.agent, o.model, () => runAgentLoop(o, s)) : runAgentLoop(o, s)
}

/** A run's own options, as `runAgentOn` reads them (the shared parts come in `RunServices`). */
export type RunOptions = Omit<RunAgentOptions, 'venice' | 'prices' | 'ledger' | 'monitor'> & Partial<Pick<RunAgentOptions, 'monitor'>>

function callContextOf(o: RunOptions, s: RunServices): CallContext {
  if (!s.ctx) return { ...o, openai: s.venice.openai, monitor: s.monitor }
  for (const k of CALL_OVERRIDES) if (o[k] !== undefined) return { ...s.ctx, ...pickDefined(o, CALL_OVERRIDES) }
  return s.ctx
}

function pickDefined<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k]
  return out
}

async function runAgentLoop(o: RunOptions, s: RunServices): Promise<RunResult> {
  const { venice, prices, monitor, ledger } = s
  const tools = new Map<string, AnyTool>()
  const openaiTools: ChatCompletionTool[] = []
  if (o.tools) for (const t of o.tools) tools.set(t.name, t) // a later tool of the same name wins, as before
  for (const t of tools.values()) openaiTools.push(toOpenAITool(t))
  const messages: ChatCompletionMessageParam[] = []
  if (o.system) messages.push({ role: 'system', content: o.system })
  if (typeof o.prompt === 'string') messages.push({ role: 'user', content: o.prompt })
  else messages.push(...o.prompt)
  const r: RunResult = {
    status: 'completed',
    output: undefined,
    steps: 0,
    toolCalls: 0,
    toolErrors: 0,
    model: o.model ?? '',
    promptTokens: 0,
    completionTokens: 0,
    costDiem: 0,
    costUsd: 0,
    messages,
  }
  try {
    const modelName =
      o.model ??
      (o.characterSlug ? (await venice.getCharacter(o.characterSlug, { signal: o.signal })).modelId : undefined) ??
      (tools.size ? 'function_calling_default' : 'default')
    const { requestModel, price } = prices.cached(modelName) ?? (await prices.resolve(modelName))
    r.model = requestModel
    const ctx = callContextOf(o, s)
    let lastPrompt = 0
    let maxCompletion = 0
    // Only a budget needs the size of what is about to be sent (stringifying it every run cost ~2 % of a step).
    let pendingChars = o.budgetDiem === undefined ? 0 : JSON.stringify(messages).length + JSON.stringify(openaiTools).length
    // Built field by field: conditional spreads allocated a throwaway object each.
    const request: VeniceChatParams = { model: requestModel, messages }
    if (openaiTools.length) {
      request.tools = openaiTools
      request.parallel_tool_calls = true
    }
    if (o.maxTokens !== undefined) request.max_tokens = o.maxTokens
    if (o.temperature !== undefined) request.temperature = o.temperature
    if (o.characterSlug) request.venice_parameters = { ...o.veniceParameters, character_slug: o.characterSlug }
    else if (o.veniceParameters && Object.keys(o.veniceParameters).length) request.venice_parameters = { ...o.veniceParameters }
    const maxSteps = o.maxSteps ?? 10
    for (let step = 0; step < maxSteps; step++) {
      if (o.signal?.aborted) return finish(r, 'aborted')
      if (o.budgetDiem !== undefined) {
        const next = costOf({ promptTokens: lastPrompt + estimateTokens(pendingChars), completionTokens: o.maxTokens ?? Math.max(maxCompletion, 64) }, price)
        if (r.costDiem + r.costUsd + next.diem > o.budgetDiem) return finish(r, 'budget')
      }
      const startTime = Date.now()
      // The same request object every step: `messages` grows in place.
      let called: Awaited<ReturnType<typeof callModel>>
      try {
        called = await callModel(ctx, request, o.signal)
      } catch (err) {
        // A failed call gets its `chat` span too (error.type), not only the run's ERROR.
        if (recordingModelCalls())
          recordFailedModelCall({ agent: o.agent, keyHint: venice.keyHint, requestModel, startTime, error: err, baseURL: venice.openai.baseURL })
        throw err
      }
      const { completion, headers } = called
      r.steps++
      const charge = chargeOf(completion, price, headers)
      r.promptTokens += charge.promptTokens
      r.completionTokens += charge.completionTokens
      r.costDiem += charge.costDiem
      r.costUsd += charge.costUsd
      lastPrompt = charge.promptTokens + charge.completionTokens
      maxCompletion = Math.max(maxCompletion, charge.completionTokens)
      monitor?.recordSpend(charge.total)
      if (recordingModelCalls())
        recordModelCall({
          agent: o.agent,
          keyHint: venice.keyHint,
          requestModel,
          startTime,
          completion,
          charge,
          headers,
          runwayHours: monitor ? () => monitor.snapshot().runwayHours : undefined,
          runwaySource: monitor,
          baseURL: venice.openai.baseURL,
        })
      void ledger?.append(ledgerEntryOf({ agent: o.agent, key: venice.keyHint, model: requestModel, charge, headers, completion }))
      const message = completion.choices[0]?.message
      if (!message) throw new BaseError('Venice returned no choices.', { code: 'EMPTY_COMPLETION' })
      messages.push(message)
      const calls = (message.tool_calls ?? []).filter((c): c is ChatCompletionMessageFunctionToolCall => c.type === 'function')
      if (!calls.length) return finish(r, 'completed', message.content ?? '')
      pendingChars = await runToolStep(calls, tools, o, r)
    }
    return finish(r, 'max_steps')
  } catch (e) {
    if (o.signal?.aborted) return finish(r, 'aborted')
    const error = e instanceof BaseError ? e : new BaseError('Agent run failed.', { cause: e })
    return finish(r, e instanceof InsufficientBalanceError ? 'insufficient_balance' : 'error', r.output, error)
  }
}

/**
 * The run's result, with its conversation copied into an array of exactly its length: the array the loop grew
 * holds up to half again plus 16 empty slots (128 B for a one-step run), kept for as long as the caller keeps the
 * result (at 10,000 agents, a tenth of what each left behind; issue #18).
 */
function finish(r: RunResult, status: RunStatus, output: string | undefined = r.output, error?: BaseError): RunResult {
  const done: RunResult = { ...r, status, output, messages: r.messages.slice() }
  if (error) done.error = error
  return done
}

/** Runs one step's tool calls (bounded concurrency), appends the tool messages in call order, and returns their size in characters. */
async function runToolStep(calls: ChatCompletionMessageFunctionToolCall[], tools: ReadonlyMap<string, AnyTool>, o: RunOptions, r: RunResult): Promise<number> {
  const results = await mapBounded(calls, o.toolConcurrency ?? 4, (c) =>
    traceToolCall(o.agent, c.function.name, c.id, () =>
      runToolCall(tools, { id: c.id, name: c.function.name, arguments: c.function.arguments }, { agent: o.agent, signal: o.signal }),
    ),
  )
  let chars = 0
  for (const res of results) {
    r.toolCalls++
    if (!res.ok) r.toolErrors++
    r.messages.push({ role: 'tool', tool_call_id: res.toolCallId, content: res.content })
    chars += res.content.length + 32
  }
  return chars
}
