import { z } from 'zod'
import { BaseError } from '../errors/BaseError.js'
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions'

/** What a handler receives besides its parsed arguments. */
export type ToolContext = {
  /** The agent running the tool (for logs and ledgers). */
  agent: string
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal | undefined
}

/** A tool: a name, a description for the model, a zod schema for its arguments, and a handler. */
export type Tool<S extends z.ZodObject = z.ZodObject, R = unknown> = {
  name: string
  description: string
  schema: S
  handler: (args: z.infer<S>, ctx: ToolContext) => Promise<R> | R
}

/** Any tool, whatever its schema (for lists of heterogeneous tools). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = Tool<any, unknown>

/** Thrown by `defineTool` when a tool is malformed (bad name, a field without `.describe()`). */
export class ToolDefinitionError extends BaseError {
  override name = 'ToolDefinitionError' as const
}

/**
 * Defines a tool for the agent loop. Every field of the schema must carry `.describe()`: the
 * description is what the model reads when it fills the arguments.
 *
 * @throws {ToolDefinitionError} when the name is not `[a-zA-Z0-9_-]{1,64}` or a field lacks a description.
 *
 * @example
 * ```ts
 * const add = defineTool({
 *   name: 'add',
 *   description: 'Adds two numbers.',
 *   schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
 *   handler: ({ a, b }) => a + b,
 * })
 * ```
 */
export function defineTool<S extends z.ZodObject, R>(tool: Tool<S, R>): Tool<S, R> {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name))
    throw new ToolDefinitionError(`Invalid tool name "${tool.name}".`, { details: 'Use 1–64 letters, digits, "_" or "-".' })
  const undocumented = Object.entries(tool.schema.shape)
    .filter(([, field]) => !(field as z.ZodType).description)
    .map(([k]) => k)
  if (undocumented.length) {
    throw new ToolDefinitionError(`Tool "${tool.name}" has fields without .describe(): ${undocumented.join(', ')}.`, {
      details: 'The model only sees field descriptions; describe every field.',
    })
  }
  return tool
}

/**
 * The OpenAI `tools[]` entry for a tool: its zod schema as JSON Schema (zod v4's `z.toJSONSchema`).
 * Converted once per tool and cached; the entry is frozen (shared by every run).
 *
 * @example
 * ```ts
 * toOpenAITool(add) // { type: 'function', function: { name: 'add', description: '…', parameters: { type: 'object', … } } }
 * ```
 */
export function toOpenAITool(tool: AnyTool): ChatCompletionFunctionTool {
  // Converting a zod schema costs more than the rest of a step (issue #18): convert once per tool
  // object, and again only if its name, description or schema object is replaced.
  const hit = converted.get(tool)
  if (hit && hit.schema === tool.schema && hit.entry.function.name === tool.name && hit.entry.function.description === tool.description) return hit.entry
  const { $schema: _drop, ...parameters } = z.toJSONSchema(tool.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  // Shared by every run: frozen so no caller can change what the next run sends.
  const entry: ChatCompletionFunctionTool = Object.freeze({
    type: 'function',
    function: Object.freeze({ name: tool.name, description: tool.description, parameters: deepFreeze(parameters) }),
  })
  converted.set(tool, { schema: tool.schema, entry })
  return entry
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const x of Object.values(v)) deepFreeze(x)
  }
  return v
}

const converted = new WeakMap<AnyTool, { schema: z.ZodObject; entry: ChatCompletionFunctionTool }>()
