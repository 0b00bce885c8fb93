import { redactText } from '../util/redact.js'

/**
 * Redacts a text for an MCP client with the project's one redaction (`src/util/redact.ts`): URLs lose userinfo,
 * query values and provider-key path segments; API keys and registered RPC secrets are removed.
 *
 * @example
 * ```ts
 * redactUrlsIn('failed: https://u:p@rpc.example/x') // 'failed: https://***@rpc.example/x'
 * ```
 */
export function redactUrlsIn(text: string): string {
  return redactText(text)
}
