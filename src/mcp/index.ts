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
export { createMcpContext, McpKeyMissingError, ledgerPathIn, DEFAULT_KEY_POLICY, type McpContext, type McpServerOptions, type McpKeyPolicy } from './context.js'
export { serveMcpHttp, type ServeMcpHttpOptions, type McpHttpServer } from './http.js'
export { assertBindAllowed, isLoopback, McpRemoteBindError } from './frontDoor.js'
export { lazyWallet, McpRpcUnavailableError, type WalletSource } from './walletSource.js'
export { TOOL_ANNOTATIONS } from './annotations.js'
export { createPlanBook, signOnly, PlanNotFoundError, PlanChangedError, type Plan, type PlanBook } from './plans.js'
export { diffSteps, type StepChange } from './planDiff.js'
export { PLAN_RESULT, type PlanView } from './tools/moneyTools.js'
export { KeyToolRefusedError, assertKeyPolicy } from './tools/keyTools.js'
export { MediaModelError, type MediaBlock } from './tools/veniceTools.js'
export { describeMcpTools } from './describeTools.js'
