import { stripUrlCredentials } from '../util/redact.js'

/**
 * Redacts every http(s)/ws(s) URL inside a text with the project's URL redaction (credentials, key-like query
 * values), so that an RPC URL quoted by an error never reaches an MCP client.
 *
 * @example
 * ```ts
 * redactUrlsIn('failed: https://u:p@rpc.example/x') // 'failed: https://rpc.example/x'
 * ```
 */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b(?:https?|wss?):\/\/[^\s"'<>)]+/g, (url) => stripUrlCredentials(url))
}
