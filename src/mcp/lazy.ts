/**
 * The MCP server's entry points as the package root (`import { createMcpServer } from 'gondola'`) exports them:
 * each loads the MCP SDK (and its HTTP stack) when called, so that `import('gondola')` for a wallet and an agent
 * loop does not (issue #25: the SDK was ~170 ms of CPU of every import). `gondola/mcp` exports the modules
 * themselves, with `mcpTools`, `registerTool`, `toolError` and `describeMcpTools`.
 */
import type * as Server from './createMcpServer.js'
import type * as Http from './http.js'
import { assertInstalled, MCP_FEATURE, MCP_PACKAGES } from '../util/optionalDependency.js'

/**
 * Builds Gondola's MCP server (see `createMcpServer` in ./createMcpServer.ts).
 *
 * @example
 * ```ts
 * const { server } = await createMcpServer({ wallet, store, baseURL })
 * ```
 */
export async function createMcpServer(...args: Parameters<typeof Server.createMcpServer>): ReturnType<typeof Server.createMcpServer> {
  assertInstalled(MCP_PACKAGES, MCP_FEATURE)
  return (await import('./createMcpServer.js')).createMcpServer(...args)
}

/**
 * Serves MCP over Streamable HTTP (see `serveMcpHttp` in ./http.ts).
 *
 * @example
 * ```ts
 * const http = await serveMcpHttp({ createServer: async () => (await createMcpServer({ wallet, store, baseURL })).server })
 * ```
 */
export async function serveMcpHttp(...args: Parameters<typeof Http.serveMcpHttp>): ReturnType<typeof Http.serveMcpHttp> {
  assertInstalled(MCP_PACKAGES, MCP_FEATURE)
  return (await import('./http.js')).serveMcpHttp(...args)
}
