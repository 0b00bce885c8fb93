/**
 * Gondola's door to its local world, the `@gondola/devnet` package (anvil, the contracts and their artifacts, solc,
 * the Venice emulator, fastify): a development dependency of this repo and of every `gondola init` scaffold, never
 * a dependency of gondola itself. `gondola devnet`, `gondola demo` (`npm start`), `gondola faucet` and the package
 * root's `startLocalWorld`/`startDevnet`/`devStake`/`startEmulator` load it here, when called, so that importing
 * `gondola` for a wallet and an agent loop loads (and needs) none of it. When it is missing, the error says the one
 * command that installs it from wherever this gondola came from (a clone, a tarball or the registry).
 */
import type * as DevnetPackage from '@gondola/devnet'
import { devnetSpecFor, gondolaPackage, gondolaSpecFor } from '../init/gondolaSpec.js'
import { MissingDependencyError } from '../util/optionalDependency.js'

/** The devnet package's name. */
export const DEVNET_PACKAGE = '@gondola/devnet'

/** The devnet and the emulator, in words, for the error. */
export const DEVNET_FEATURE = 'The devnet and the Venice emulator (gondola devnet, npm start, gondola faucet, startLocalWorld)'

/** What `@gondola/devnet` exports. */
export type DevnetModule = typeof DevnetPackage

/** Whether `err` says that `@gondola/devnet` itself (not a module inside it) could not be found. */
function isDevnetMissing(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown }
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return false
  const message = typeof e.message === 'string' ? e.message : ''
  return message.includes(`'${DEVNET_PACKAGE}'`) || message.includes(`"${DEVNET_PACKAGE}"`) || message.includes(`package '${DEVNET_PACKAGE}`)
}

/**
 * The command that installs the devnet package beside this gondola: from a clone, its `devnet/` folder; from a
 * tarball, the devnet tarball beside it; from the registry, the same version.
 *
 * @example
 * ```ts
 * devnetInstallCommand() // 'npm install --save-dev file:/home/me/gondola/devnet' (run from a clone)
 * ```
 */
export function devnetInstallCommand(): string {
  const { pkg, root } = gondolaPackage()
  return `npm install --save-dev ${devnetSpecFor(gondolaSpecFor(root, pkg.version), pkg.version).install}`
}

/**
 * Loads `@gondola/devnet`.
 *
 * @throws {MissingDependencyError} (exit class config) naming the package and the one command that installs it.
 *
 * @example
 * ```ts
 * const { startLocalWorld } = await loadDevnet()
 * const world = await startLocalWorld()
 * ```
 */
export async function loadDevnet(): Promise<DevnetModule> {
  try {
    return await import('@gondola/devnet')
  } catch (err) {
    if (!isDevnetMissing(err)) throw err
    throw new MissingDependencyError(`${DEVNET_FEATURE} need the package ${DEVNET_PACKAGE}, not installed.`, {
      cause: err,
      metaMessages: [`Install it beside gondola: ${devnetInstallCommand()}`],
      code: 'DEPENDENCY_MISSING',
    })
  }
}

/**
 * Starts anvil with the Venice contracts and Uniswap V3 deployed (`startDevnet` of `@gondola/devnet`).
 *
 * @example
 * ```ts
 * const devnet = await startDevnet()
 * await devnet.stop()
 * ```
 */
export async function startDevnet(...args: Parameters<DevnetModule['startDevnet']>): ReturnType<DevnetModule['startDevnet']> {
  return (await loadDevnet()).startDevnet(...args)
}

/**
 * Starts the devnet and the Venice emulator reading it (`startLocalWorld` of `@gondola/devnet`).
 *
 * @example
 * ```ts
 * const world = await startLocalWorld()
 * await world.stop()
 * ```
 */
export async function startLocalWorld(...args: Parameters<DevnetModule['startLocalWorld']>): ReturnType<DevnetModule['startLocalWorld']> {
  return (await loadDevnet()).startLocalWorld(...args)
}

/**
 * Stakes VVV from one of anvil's dev accounts (`devStake` of `@gondola/devnet`).
 *
 * @example
 * ```ts
 * await devStake(devnet, 1, parseEther('1000'))
 * ```
 */
export async function devStake(...args: Parameters<DevnetModule['devStake']>): ReturnType<DevnetModule['devStake']> {
  return (await loadDevnet()).devStake(...args)
}

/**
 * Starts the Venice emulator (`startEmulator` of `@gondola/devnet`).
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ chain })
 * await emulator.stop()
 * ```
 */
export async function startEmulator(...args: Parameters<DevnetModule['startEmulator']>): ReturnType<DevnetModule['startEmulator']> {
  return (await loadDevnet()).startEmulator(...args)
}
