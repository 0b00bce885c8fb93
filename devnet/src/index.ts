/**
 * `@gondola/devnet`: Gondola's local world, a development dependency. anvil with the Venice contracts, USDC,
 * Aerodrome and Uniswap V3 deployed (`startDevnet`), the spec-faithful Venice API emulator (`startEmulator`), and
 * both together (`startLocalWorld`). It stands beside the runtime: it imports gondola's public subpaths
 * (`gondola/chain`, `gondola/errors`, `gondola/util`), and gondola loads it only for `gondola devnet`,
 * `gondola demo` (`npm start`) and `gondola faucet`.
 *
 * @example
 * ```ts
 * import { startLocalWorld } from '@gondola/devnet'
 * const world = await startLocalWorld()
 * world.veniceBaseUrl // 'http://127.0.0.1:PORT/api/v1'
 * await world.stop()
 * ```
 */
export * from './devnet/index.js'
export { createFaucet } from './devnet/faucet.js'
export * from './emulator/index.js'
