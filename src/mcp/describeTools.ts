import type { McpContext } from './context.js'
import { mcpTools } from './mcpTools.js'

/**
 * The server's tools as `name — description` lines, for `gondola mcp --help`. Tool definitions touch their context
 * only when called, so they are listed here from a context that refuses any use.
 *
 * @example
 * ```ts
 * describeMcpTools()[0] // 'get_wallet_balances — The wallet's balances on Base in one read: …'
 * ```
 */
export function describeMcpTools(): string[] {
  const unused = new Proxy({} as McpContext, {
    get: (_t, prop) => {
      throw new Error(`describeMcpTools: the context (${String(prop)}) is not available while listing tools`)
    },
  })
  return mcpTools(unused).map((t) => `${t.name} — ${t.description}`)
}
