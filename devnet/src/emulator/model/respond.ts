/**
 * The deterministic local model behind `/chat/completions` (rules in `src/emulator/README.md`).
 */
import type { ModelEntry } from '../catalog/models.js'
import { CHARACTERS } from '../catalog/characters.js'
import { chooseTools, type ToolChoice, type ToolDef } from './chooseTools.js'
import { extractValues } from './extract.js'
import { fillSchema, type FillState } from './fillSchema.js'
import type { ScriptedResponse } from './scripts.js'
import { countTokens, textOf } from './tokens.js'

export type ChatMessage = {
  role: string
  content?: unknown
  name?: string
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>
  tool_call_id?: string
}

export type ChatRequest = {
  model: string
  messages: ChatMessage[]
  tools?: ToolDef[] | null
  tool_choice?: ToolChoice
  parallel_tool_calls?: boolean
  response_format?: { type: 'json_schema' | 'json_object' | 'text'; json_schema?: Record<string, unknown> }
  max_tokens?: number
  max_completion_tokens?: number
  stream?: boolean
  stream_options?: { include_usage?: boolean }
  venice_parameters?: Record<string, unknown>
}

export type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } }

/** What the model produced, before it is shaped into a response or a stream. */
export type Completion = {
  content: string | null
  reasoning: string | null
  toolCalls: ToolCall[]
  finishReason: 'stop' | 'length' | 'tool_calls'
  completionTokens: number
}

let callCounter = 0
const callId = (): string => `call_${(++callCounter).toString(36).padStart(8, '0')}`

/**
 * Runs the local model (or the next scripted response) on a request.
 *
 * @param params - merged `venice_parameters` and model-suffix values.
 * @example
 * ```ts
 * const c = generate(body, model, { character_slug: 'alan-watts' }, undefined, Date.now())
 * c.content // 'Ah, you see, my friend, …'
 * ```
 */
export function generate(req: ChatRequest, model: ModelEntry, params: Record<string, unknown>, script: ScriptedResponse | undefined, now: number): Completion {
  if (script) return fromScript(script)
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user')
  const userText = textOf(lastUser?.content)
  const lastIdx = req.messages.lastIndexOf(lastUser as ChatMessage)
  const toolResults = req.messages.slice(lastIdx + 1).filter((m) => m.role === 'tool')
  const thinking = model.model_spec.capabilities?.supportsReasoning === true && params.disable_thinking !== true && params.strip_thinking_response !== true
  const reasoning = thinking ? `Thinking about "${clip(userText, 80)}": I'll answer from what I was given.` : null
  // Extracted only when a schema is filled (tool arguments, json_schema): a plain answer never reads it.
  let ex: ReturnType<typeof extractValues> | undefined
  const state: FillState = {
    get ex() {
      return (ex ??= extractValues(userText))
    },
    nextNumber: 0,
    nextAddress: 0,
    nextQuoted: 0,
    now,
  }

  if (!toolResults.length && req.tools?.length) {
    const chosen = chooseTools(req.tools, userText, req.tool_choice, req.parallel_tool_calls !== false)
    if (chosen.length) {
      const toolCalls = chosen.map((t) => ({
        id: callId(),
        type: 'function' as const,
        function: { name: t.function.name, arguments: JSON.stringify(fillSchema(t.function.parameters ?? { type: 'object', properties: {} }, state)) },
      }))
      return { content: null, reasoning, toolCalls, finishReason: 'tool_calls', completionTokens: countTokens(JSON.stringify(toolCalls)) }
    }
  }

  let content: string
  const format = req.response_format
  if (format?.type === 'json_schema') {
    const js = format.json_schema ?? {}
    content = JSON.stringify(fillSchema((js.schema as unknown) ?? js, state))
  } else if (format?.type === 'json_object') {
    content = JSON.stringify({ answer: answerText(userText, model) })
  } else if (toolResults.length) {
    content = summariseToolResults(req.messages, toolResults)
  } else {
    const character = typeof params.character_slug === 'string' ? CHARACTERS.find((c) => c.slug === params.character_slug) : undefined
    content = character ? `${character.greeting}, ${lowerFirst(answerText(userText, model))} — ${character.name}` : answerText(userText, model)
  }
  return truncate(
    { content, reasoning, toolCalls: [], finishReason: 'stop', completionTokens: countTokens(content) + (reasoning ? countTokens(reasoning) : 0) },
    req,
  )
}

function answerText(userText: string, model: ModelEntry): string {
  return userText
    ? `You asked: "${clip(userText, 160)}". This is a deterministic answer from ${model.id} on the Venice emulator.`
    : `Hello from ${model.id} on the Venice emulator.`
}

function summariseToolResults(messages: ChatMessage[], results: ChatMessage[]): string {
  const names = new Map<string, string>()
  for (const m of messages) for (const c of m.tool_calls ?? []) names.set(c.id, c.function.name)
  const parts = results.map((r) => `${names.get(r.tool_call_id ?? '') ?? r.name ?? 'tool'} returned ${clip(textOf(r.content), 200)}`)
  return `Based on the tool results: ${parts.join('; ')}.`
}

function fromScript(s: ScriptedResponse): Completion {
  const toolCalls = (s.tool_calls ?? []).map((c) => ({
    id: c.id ?? callId(),
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }))
  const content = s.content ?? (toolCalls.length ? null : '')
  return {
    content,
    reasoning: s.reasoning_content ?? null,
    toolCalls,
    finishReason: s.finish_reason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
    completionTokens: countTokens(content ?? '') + countTokens(JSON.stringify(toolCalls.length ? toolCalls : '')) + countTokens(s.reasoning_content ?? ''),
  }
}

/**
 * `max_completion_tokens` bounds reasoning and visible output together (the spec: "including visible
 * output tokens and reasoning tokens"): reasoning is cut first, content gets what is left. The deprecated
 * `max_tokens` bounds the visible content only. Either cut ends with `finish_reason: 'length'`.
 */
function truncate(c: Completion, req: Pick<ChatRequest, 'max_tokens' | 'max_completion_tokens'>): Completion {
  const positive = (n: number | undefined): number | undefined => (n !== undefined && n > 0 ? n : undefined)
  const total = positive(req.max_completion_tokens)
  const visible = positive(req.max_tokens)
  if (c.content === null || (total === undefined && visible === undefined)) return c
  const reasoning = total !== undefined && c.reasoning && countTokens(c.reasoning) > total ? c.reasoning.slice(0, total * 4) : c.reasoning
  const room = Math.min(visible ?? Infinity, total !== undefined ? total - (reasoning ? countTokens(reasoning) : 0) : Infinity)
  if (reasoning === c.reasoning && countTokens(c.content) <= room) return c
  const content = c.content.slice(0, Math.max(0, room) * 4)
  return { ...c, content, reasoning, finishReason: 'length', completionTokens: countTokens(content) + (reasoning ? countTokens(reasoning) : 0) }
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)
