/**
 * Deterministic token counting: ceil(characters / 4) per text, plus 4 per message, plus the
 * tools' JSON when tools are sent.
 */

/** Tokens of one text. @example countTokens('hello world!') // 3 */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

type Message = { role: string; content?: unknown; tool_calls?: unknown }

/**
 * Prompt tokens of a chat request.
 *
 * @example
 * ```ts
 * promptTokens([{ role: 'user', content: 'hi' }]) // 5
 * ```
 */
export function promptTokens(messages: readonly Message[], tools?: unknown): number {
  let n = tools ? countTokens(JSON.stringify(tools)) : 0
  for (const m of messages) {
    n += 4 + countTokens(textOf(m.content))
    if (m.tool_calls) n += countTokens(JSON.stringify(m.tool_calls))
  }
  return n
}

/** The text of a message's content (string, or the text parts of an array). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : '')).join('\n')
  return ''
}
