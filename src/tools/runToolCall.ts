import { z } from 'zod'
import { describeError, publicText } from '../util/publicError.js'
import type { AnyTool, ToolContext } from './defineTool.js'

/** The outcome of one tool call, ready to become a `role: 'tool'` message. */
export type ToolCallResult = {
  toolCallId: string
  name: string
  /** The text the model reads: the JSON result, or an error it can act on. */
  content: string
  ok: boolean
  /** Why it failed, when it did. */
  error?: 'unknown_tool' | 'invalid_json' | 'invalid_arguments' | 'handler_error' | undefined
}

/**
 * Runs one tool call from the model. Never throws (except on abort): an unknown tool, unparsable or
 * invalid arguments, and handler errors come back as a message the model can correct. This is the
 * only place typed errors become model-readable text.
 *
 * @example
 * ```ts
 * const r = await runToolCall(new Map([[add.name, add]]), { id: 'c1', name: 'add', arguments: '{"a":1}' }, { agent: 'a' })
 * r.ok // false; r.content names the missing field "b"
 * ```
 */
export async function runToolCall(
  tools: ReadonlyMap<string, AnyTool>,
  call: { id: string; name: string; arguments: string },
  ctx: ToolContext,
): Promise<ToolCallResult> {
  const tool = tools.get(call.name)
  if (!tool) {
    const names = [...tools.keys()].join(', ') || '(none)'
    return { toolCallId: call.id, name: call.name, ok: false, error: 'unknown_tool', content: `Error: unknown tool "${call.name}". Available tools: ${names}.` }
  }
  let raw: unknown
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments)
  } catch {
    return {
      toolCallId: call.id,
      name: call.name,
      ok: false,
      error: 'invalid_json',
      content: `Error: the arguments for "${call.name}" are not valid JSON. Send a JSON object matching the tool's parameters.`,
    }
  }
  const parsed = tool.schema.safeParse(raw)
  if (!parsed.success) {
    return {
      toolCallId: call.id,
      name: call.name,
      ok: false,
      error: 'invalid_arguments',
      content: `Error: invalid arguments for "${call.name}":\n${z.prettifyError(parsed.error)}\nFix the arguments and call the tool again.`,
    }
  }
  // What the model reads goes to the model provider: credentials (RPC URL keys, API keys) are removed here.
  try {
    const result = await tool.handler(parsed.data, ctx)
    return { toolCallId: call.id, name: call.name, ok: true, content: publicText(stringify(result)) }
  } catch (err) {
    if (ctx.signal?.aborted) throw err
    return { toolCallId: call.id, name: call.name, ok: false, error: 'handler_error', content: `Error: ${call.name} failed: ${describeError(err)}` }
  }
}

/** Turns a thrown error into one line for the model (the one boundary: `src/util/publicError.ts`). */
export { describeError }

function stringify(result: unknown): string {
  if (typeof result === 'string') return result
  if (result === undefined) return 'OK'
  // Plain stringify first (a replacer function makes every result several times slower); only a BigInt
  // makes it throw, and then the replacer writes it as a decimal string. Same text either way.
  try {
    return JSON.stringify(result)
  } catch (e) {
    if (!(e instanceof TypeError)) throw e
    return JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  }
}
