import type { AnyTool } from '../tools/defineTool.js'

/** True for a `defineTool` result: name, description, a zod object schema and a handler. */
export function isTool(value: unknown): value is AnyTool {
  if (!value || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return (
    typeof v.name === 'string' &&
    typeof v.description === 'string' &&
    typeof v.handler === 'function' &&
    !!v.schema &&
    typeof (v.schema as { safeParse?: unknown }).safeParse === 'function'
  )
}

/**
 * The tools a module exports, by tool name: every named export that is a tool (`export const forecast =
 * defineTool(…)`), and the tools in an exported array (`export const tools = [a, b]`). The default export
 * (an agent definition) is skipped.
 *
 * @example
 * ```ts
 * const tools = toolsOf(await importModule('/proj/agents/weather.ts')) // { get_forecast: {...} }
 * ```
 */
export function toolsOf(mod: Record<string, unknown>): Record<string, AnyTool> {
  const out: Record<string, AnyTool> = {}
  for (const [key, value] of Object.entries(mod)) {
    if (key === 'default') continue
    for (const candidate of Array.isArray(value) ? value : [value]) if (isTool(candidate)) out[candidate.name] = candidate
  }
  return out
}
