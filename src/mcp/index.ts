/**
 * Gondola as an MCP server: wallet, keys, Venice and ledger tools (money tools plan, a confirm sends),
 * resources and character prompts, over stdio or Streamable HTTP.
 *
 * @example
 * ```ts
 * import { createMcpServer, serveMcpHttp } from './index.js'
 * const http = await serveMcpHttp({ createServer: async () => (await createMcpServer({ wallet, store, baseURL })).server })
 * ```
 */
export { createMcpServer, mcpTools, registerTool, toolError, MCP_SERVER_VERSION } from './createMcpServer.js'
export { createMcpContext, McpKeyMissingError, ledgerPathIn, type McpContext, type McpServerOptions } from './context.js'
export { serveMcpHttp, type ServeMcpHttpOptions } from './http.js'
export { createPlanBook, PlanNotFoundError, PlanChangedError, type Plan, type PlanBook } from './plans.js'
export { PLAN_RESULT, type PlanView } from './tools/moneyTools.js'
export { KeyToolRefusedError } from './tools/keyTools.js'
export { MediaModelError, type MediaBlock } from './tools/veniceTools.js'
export { describeMcpTools } from './describeTools.js'
