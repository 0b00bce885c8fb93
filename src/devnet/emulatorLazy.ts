import { assertInstalled, DEVNET_FEATURE, DEVNET_PACKAGES } from '../util/optionalDependency.js'
import type * as Emulator from './startEmulator.js'

/**
 * Starts the Venice emulator (see `startEmulator` in ./startEmulator.ts), loading it (fastify, the OpenAPI
 * validator, the media pipeline) when called: the package root exports this, so `import('gondola')` does not. Its
 * packages are optional peers, named all at once when missing (`assertInstalled`).
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ chain })
 * await emulator.stop()
 * ```
 */
export async function startEmulator(...args: Parameters<typeof Emulator.startEmulator>): ReturnType<typeof Emulator.startEmulator> {
  assertInstalled(DEVNET_PACKAGES, DEVNET_FEATURE, { dev: true })
  return (await import('./startEmulator.js')).startEmulator(...args)
}
