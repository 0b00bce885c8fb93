import type { ChatCompletionMessageParam, ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions'
import { BaseError } from '../errors/BaseError.js'
import type { AnyTool } from '../tools/defineTool.js'
import { toOpenAITool } from '../tools/defineTool.js'
import { runToolCall } from '../tools/runToolCall.js'
import type { VeniceClient } from '../venice/createVeniceClient.js'
import { InsufficientBalanceError } from '../venice/errors.js'
import { callModel, type CallContext, type VeniceParameters } from './callModel.js'
import type { Ledger } from './ledger.js'
import { createPriceBook, costOf, type PriceBook } from './pricing.js'
import { mapBounded, estimateTokens } from './util.js'
import { chargeOf, ledgerEntryOf } from './accounting.js'
import { recordingModelCalls, recordModelCall, traceAgentRun, traceToolCall } from '../telemetry/record.js'

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
  return traceAgentRun(o.agent, o.model, () => runAgentLoop(o))
}

async function runAgentLoop(o: RunAgentOptions): Promise<RunResult> {
  const prices = o.prices ?? createPriceBook(o.venice)
  const tools = new Map((o.tools ?? []).map((t) => [t.name, t]))
  const openaiTools = [...tools.values()].map(toOpenAITool)
  const messages: ChatCompletionMessageParam[] = [
    ...(o.system ? [{ role: 'system' as const, content: o.system }] : []),
    ...(typeof o.prompt === 'string' ? [{ role: 'user' as const, content: o.prompt }] : o.prompt),
  ]
  const r: RunResult = { status: 'completed', output: undefined, steps: 0, toolCalls: 0, toolErrors: 0, model: o.model ?? '', promptTokens: 0, completionTokens: 0, costDiem: 0, costUsd: 0, messages }
  try {
    const modelName = o.model ?? (o.characterSlug ? (await o.venice.getCharacter(o.characterSlug, { signal: o.signal })).modelId : undefined) ?? (tools.size ? 'function_calling_default' : 'default')
    const { requestModel, price } = await prices.resolve(modelName)
    r.model = requestModel
    const veniceParameters = { ...o.veniceParameters, ...(o.characterSlug ? { character_slug: o.characterSlug } : {}) }
    const ctx: CallContext = { ...o, openai: o.venice.openai }
    let lastPrompt = 0
    let maxCompletion = 0
    // Only a budget needs the size of what is about to be sent (stringifying it every run cost ~2 % of a step).
    let pendingChars = o.budgetDiem === undefined ? 0 : JSON.stringify(messages).length + JSON.stringify(openaiTools).length
    const request = {
      model: requestModel,
      messages,
      ...(openaiTools.length ? { tools: openaiTools, parallel_tool_calls: true } : {}),
      ...(o.maxTokens !== undefined ? { max_tokens: o.maxTokens } : {}),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
      ...(Object.keys(veniceParameters).length ? { venice_parameters: veniceParameters } : {}),
    }
    for (let step = 0; step < (o.maxSteps ?? 10); step++) {
      if (o.signal?.aborted) return { ...r, status: 'aborted' }
      if (o.budgetDiem !== undefined) {
        const next = costOf({ promptTokens: lastPrompt + estimateTokens(pendingChars), completionTokens: o.maxTokens ?? Math.max(maxCompletion, 64) }, price)
        if (r.costDiem + r.costUsd + next.diem > o.budgetDiem) return { ...r, status: 'budget' }
      }
      const startTime = Date.now()
      // The same request object every step: `messages` grows in place.
      const { completion, headers } = await callModel(ctx, request, o.signal)
      r.steps++
      const charge = chargeOf(completion, price, headers)
      r.promptTokens += charge.promptTokens
      r.completionTokens += charge.completionTokens
      r.costDiem += charge.costDiem
      r.costUsd += charge.costUsd
      lastPrompt = charge.promptTokens + charge.completionTokens
      maxCompletion = Math.max(maxCompletion, charge.completionTokens)
      o.monitor?.recordSpend(charge.total)
      if (recordingModelCalls()) recordModelCall({ agent: o.agent, keyHint: o.venice.keyHint, requestModel, startTime, completion, charge, headers, runwayHours: o.monitor ? () => o.monitor!.snapshot().runwayHours : undefined })
      void o.ledger?.append(ledgerEntryOf({ agent: o.agent, key: o.venice.keyHint, model: requestModel, charge, headers, completion }))
      const message = completion.choices[0]?.message
      if (!message) throw new BaseError('Venice returned no choices.', { code: 'EMPTY_COMPLETION' })
      messages.push(message)
      const calls = (message.tool_calls ?? []).filter((c): c is ChatCompletionMessageFunctionToolCall => c.type === 'function')
      if (!calls.length) return { ...r, status: 'completed', output: message.content ?? '' }
      pendingChars = await runToolStep(calls, tools, o, r)
    }
    return { ...r, status: 'max_steps' }
  } catch (e) {
    if (o.signal?.aborted) return { ...r, status: 'aborted' }
    const error = e instanceof BaseError ? e : new BaseError('Agent run failed.', { cause: e })
    return { ...r, status: e instanceof InsufficientBalanceError ? 'insufficient_balance' : 'error', error }
  }
}

/** Runs one step's tool calls (bounded concurrency), appends the tool messages in call order, and returns their size in characters. */
async function runToolStep(calls: ChatCompletionMessageFunctionToolCall[], tools: ReadonlyMap<string, AnyTool>, o: RunAgentOptions, r: RunResult): Promise<number> {
  const results = await mapBounded(calls, o.toolConcurrency ?? 4, (c) =>
    traceToolCall(o.agent, c.function.name, c.id, () => runToolCall(tools, { id: c.id, name: c.function.name, arguments: c.function.arguments }, { agent: o.agent, signal: o.signal })),
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
