/**
 * The Venice API emulator: a local api.venice.ai for the devnet and tests.
 *
 * @example
 * ```ts
 * import { startEmulator, createChainReader } from './emulator/index.js'
 * const emulator = await startEmulator({ chain: createChainReader({ publicClient, addresses }), adminEndpoint: true })
 * emulator.baseURL // 'http://127.0.0.1:PORT/api/v1'
 * ```
 */
export { startEmulator, type Emulator, type StartEmulatorOptions } from './startEmulator.js'
export { createChainReader, createStaticChainReader, type ChainReader, type Stake } from './chainReader.js'
export type { FaultOptions } from './faults.js'
export type { ScriptedResponse } from './model/scripts.js'
export type { RateLimitOverrides } from './state/rateLimiter.js'
export { MESSAGES } from './http/VeniceHttpError.js'
export { WALLET_ERRORS } from './routes/web3Key.js'
export { TOKEN_ERRORS } from './web3Token.js'
export { getSpecValidators, toErrorTree } from './spec/validators.js'
