/**
 * The devnet's entry points as the package root (`import { startLocalWorld } from 'gondola'`) exports them:
 * each loads the devnet (anvil, the deployers, the emulator) when called, so that importing `gondola` for a
 * wallet and an agent loop does not load the local world. The devnet's packages are optional peers: each entry point
 * first names every one that is missing (`assertInstalled`). `gondola/devnet` exports the modules themselves.
 */
import { assertInstalled, DEVNET_FEATURE, DEVNET_PACKAGES } from '../util/optionalDependency.js'
import type * as Devnet from './startDevnet.js'
import type * as DevStake from './devStake.js'
import type * as World from './startLocalWorld.js'

/**
 * Starts anvil with the Venice contracts and Uniswap V3 deployed (see `startDevnet` in ./startDevnet.ts).
 *
 * @example
 * ```ts
 * const devnet = await startDevnet()
 * await devnet.stop()
 * ```
 */
export async function startDevnet(...args: Parameters<typeof Devnet.startDevnet>): ReturnType<typeof Devnet.startDevnet> {
  assertInstalled(DEVNET_PACKAGES, DEVNET_FEATURE, { dev: true })
  return (await import('./startDevnet.js')).startDevnet(...args)
}

/**
 * Starts the devnet and the Venice emulator reading it (see `startLocalWorld` in ./startLocalWorld.ts).
 *
 * @example
 * ```ts
 * const world = await startLocalWorld()
 * await world.stop()
 * ```
 */
export async function startLocalWorld(...args: Parameters<typeof World.startLocalWorld>): ReturnType<typeof World.startLocalWorld> {
  assertInstalled(DEVNET_PACKAGES, DEVNET_FEATURE, { dev: true })
  return (await import('./startLocalWorld.js')).startLocalWorld(...args)
}

/**
 * Stakes VVV from one of anvil's dev accounts (see `devStake` in ./devStake.ts).
 *
 * @example
 * ```ts
 * await devStake(devnet, 1, parseEther('1000'))
 * ```
 */
export async function devStake(...args: Parameters<typeof DevStake.devStake>): ReturnType<typeof DevStake.devStake> {
  assertInstalled(DEVNET_PACKAGES, DEVNET_FEATURE, { dev: true })
  return (await import('./devStake.js')).devStake(...args)
}
