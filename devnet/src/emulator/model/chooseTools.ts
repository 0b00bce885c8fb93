/**
 * Which tools the local model calls: honours `tool_choice`; else every tool named in the latest user
 * message (several → parallel calls, unless `parallel_tool_calls` is false); else the tool whose name
 * and description share the most words with the message (none under `auto` when nothing overlaps).
 */
import { tokenize } from './extract.js'

export type ToolDef = { type?: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }
export type ToolChoice = 'auto' | 'none' | 'required' | { type: string; function: { name: string } } | undefined

const STOP = new Set([
  'the',
  'a',
  'an',
  'to',
  'of',
  'and',
  'or',
  'in',
  'on',
  'for',
  'is',
  'my',
  'me',
  'i',
  'it',
  'this',
  'that',
  'with',
  'what',
  'how',
  'be',
  'do',
  'please',
  'can',
  'you',
])

/**
 * @example
 * ```ts
 * chooseTools(tools, 'call get_balance and get_price', 'auto', true).map((t) => t.function.name) // ['get_balance', 'get_price']
 * ```
 */
export function chooseTools(tools: readonly ToolDef[], message: string, choice: ToolChoice, parallel: boolean): ToolDef[] {
  const fns = tools.filter((t) => t.function && typeof t.function.name === 'string')
  if (!fns.length || choice === 'none') return []
  if (choice && typeof choice === 'object') {
    const named = fns.find((t) => t.function.name === choice.function.name)
    return named ? [named] : []
  }
  const lower = message.toLowerCase()
  const named = fns
    .map((t) => ({ t, at: indexOfName(lower, t.function.name.toLowerCase()) }))
    .filter((x) => x.at !== -1)
    .sort((a, b) => a.at - b.at)
    .map((x) => x.t)
  if (named.length) return parallel ? named : named.slice(0, 1)
  const words = tokenize(message)
  let best: ToolDef | undefined
  let bestScore = 0
  for (const t of fns) {
    let score = 0
    for (const w of tokenize(`${t.function.name} ${t.function.description ?? ''}`)) if (!STOP.has(w) && words.has(w)) score++
    if (score > bestScore) {
      best = t
      bestScore = score
    }
  }
  if (best) return [best]
  return choice === 'required' ? fns.slice(0, 1) : []
}

/** Position of a tool name as a whole word (underscores may also be written as spaces), or -1. */
function indexOfName(text: string, name: string): number {
  for (const form of new Set([name, name.replace(/_/g, ' ')])) {
    const re = new RegExp(`(^|[^a-z0-9_])${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9_])`)
    const m = re.exec(text)
    if (m) return m.index
  }
  return -1
}
