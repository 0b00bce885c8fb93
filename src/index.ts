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
// The local world loads when started (./devnet/lazy.ts), not with `import('gondola')`; `gondola/devnet` and
// `gondola/emulator` export the modules themselves.
export { startDevnet, startLocalWorld, devStake } from './devnet/lazy.js'
export type { Devnet, StartDevnetOptions } from './devnet/startDevnet.js'
export type { LocalWorld, StartLocalWorldOptions } from './devnet/startLocalWorld.js'
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
export { AnvilNotFoundError, AnvilStartError, ContractCompileError, DevnetDeployError, DevnetStateError, FaucetError, PortInUseError } from './devnet/errors.js'
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
export { startEmulator } from './emulator/lazy.js'
export type { Emulator, StartEmulatorOptions } from './emulator/startEmulator.js'
export { createChainReader, type ChainReader } from './emulator/chainReader.js'
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
