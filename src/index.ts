/**
 * Gondola's public API, by layer (chain → wallet → keys → venice → agent → host). Each layer's own
 * `index.ts` documents its exports.
 *
 * @example
 * ```ts
 * import { startLocalWorld, createWallet, KeyStore, provision, createAgentHost, defineAgent } from './index.js'
 * ```
 */
export { BaseError } from './errors/BaseError.js'
export { readEnv, type Env } from './config/env.js'
export { baseAddressBook, MULTICALL3_ADDRESS, type AddressBook } from './chain/addressBook.js'
export * from './chain/abis/index.js'
// The local world is the @gondola/devnet package (a devDependency): these load it when called (./devnet/lazy.ts),
// not with `import('gondola')`, and name the command that installs it when it is missing.
export { startDevnet, startLocalWorld, devStake, startEmulator, loadDevnet } from './devnet/lazy.js'
export type { Devnet, StartDevnetOptions, LocalWorld, StartLocalWorldOptions, Emulator, StartEmulatorOptions, ChainReader } from '@gondola/devnet'
export {
  readDevnetAddressBook,
  readDevnetInfo,
  writeDevnetInfo,
  removeDevnetInfo,
  devnetInfoPath,
  type DevnetInfo,
  type DevAccount,
} from './chain/devnetInfo.js'
export { devnetChain, DEVNET_CHAIN_ID } from './chain/devnetChain.js'
export { DevnetStateError } from './chain/errors.js'
export * from './wallet/index.js'
export * from './keys/index.js'
export {
  createVeniceClient,
  listAllBillingUsage,
  parseVeniceHeaders,
  generate,
  toVeniceError,
  VeniceAPIError,
  BadRequestError,
  AuthenticationError,
  InsufficientBalanceError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  type VeniceClient,
  type VeniceClientOptions,
  type VeniceHeaders,
} from './venice/index.js'
export * from './runtime/index.js'
export * from './tools/index.js'
export * from './agent/index.js'
export * from './host/index.js'
export * from './status/index.js'
export * from './adapters/index.js'
// The MCP server loads its SDK when started (./mcp/lazy.ts), not with `import('gondola')`; `gondola/mcp` exports
// the modules themselves (with mcpTools, registerTool, toolError, describeMcpTools).
export { createMcpServer, serveMcpHttp } from './mcp/lazy.js'
export type { ServeMcpHttpOptions, McpHttpServer } from './mcp/http.js'
export {
  createMcpContext,
  McpKeyMissingError,
  ledgerPathIn,
  DEFAULT_KEY_POLICY,
  type McpContext,
  type McpServerOptions,
  type McpKeyPolicy,
} from './mcp/context.js'
export { assertBindAllowed, isLoopback, McpRemoteBindError } from './mcp/frontDoor.js'
export { lazyWallet, McpRpcUnavailableError, type WalletSource } from './mcp/walletSource.js'
export { TOOL_ANNOTATIONS } from './mcp/annotations.js'
export { createPlanBook, signOnly, PlanNotFoundError, PlanChangedError, type Plan, type PlanBook } from './mcp/plans.js'
export { diffSteps, type StepChange } from './mcp/planDiff.js'
export { PLAN_RESULT, type PlanView } from './mcp/tools/moneyTools.js'
export { KeyToolRefusedError, assertKeyPolicy } from './mcp/tools/keyTools.js'
export { MediaModelError, type MediaBlock } from './mcp/tools/veniceTools.js'
