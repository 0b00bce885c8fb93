/**
 * Heavy parts only some users need (the OpenTelemetry SDK, the Bluesky and Nostr clients, Postgres for fleet
 * mode, the dashboard's charts) are optional peer dependencies: loaded only when used, installed only by those
 * who use them. When one is missing, the feature fails with one clear line naming the package to install.
 */
import { createRequire } from 'node:module'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'

/** A feature needs an optional package that is not installed. */
export class MissingDependencyError extends BaseError {
  override name = 'MissingDependencyError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}

/** Whether `err` says that `pkg` itself (not something inside it) could not be found. */
function isMissing(err: unknown, pkg: string): boolean {
  const e = err as { code?: unknown; message?: unknown }
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return false
  const message = typeof e.message === 'string' ? e.message : ''
  return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`) || message.includes(`'${pkg}/`) || message.includes(`package '${pkg}`)
}

function missing(pkg: string, feature: string, cause: unknown): MissingDependencyError {
  return new MissingDependencyError(`${feature} needs the package ${pkg}, which is not installed.`, {
    cause,
    metaMessages: [`Install it beside gondola: npm install ${pkg}`],
    code: 'DEPENDENCY_MISSING',
  })
}

const root = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!)

/**
 * Imports an optional package (ESM or CommonJS) for a feature.
 *
 * @param specifier - what to import, such as `'@atproto/api'` or `'nostr-tools/pool'`.
 * @param feature - what needs it, in words, for the error: `'The Bluesky channel'`.
 * @throws {MissingDependencyError} naming the package and the install command, when it is not installed.
 *
 * @example
 * ```ts
 * const { AtpAgent } = await importOptional<typeof import('@atproto/api')>('@atproto/api', 'The Bluesky channel')
 * ```
 */
export async function importOptional<T>(specifier: string, feature: string): Promise<T> {
  try {
    return (await import(specifier)) as T
  } catch (err) {
    if (isMissing(err, root(specifier))) throw missing(root(specifier), feature, err)
    throw err
  }
}

const require = createRequire(import.meta.url)

/**
 * Loads an optional CommonJS package synchronously (for code that cannot wait, such as `startTelemetry`).
 *
 * @throws {MissingDependencyError} naming the package and the install command, when it is not installed.
 *
 * @example
 * ```ts
 * const { MeterProvider } = requireOptional<typeof import('@opentelemetry/sdk-metrics')>('@opentelemetry/sdk-metrics', 'OpenTelemetry metrics')
 * ```
 */
export function requireOptional<T>(specifier: string, feature: string): T {
  try {
    return require(specifier) as T
  } catch (err) {
    if (isMissing(err, root(specifier))) throw missing(root(specifier), feature, err)
    throw err
  }
}

/**
 * Resolves a file inside an optional package (an asset to serve, such as a browser bundle).
 *
 * @throws {MissingDependencyError} naming the package and the install command, when it is not installed.
 *
 * @example
 * ```ts
 * const path = resolveOptional('echarts/dist/echarts.min.js', 'The dashboard charts')
 * ```
 */
export function resolveOptional(specifier: string, feature: string): string {
  try {
    return require.resolve(specifier)
  } catch (err) {
    if (isMissing(err, root(specifier))) throw missing(root(specifier), feature, err)
    throw err
  }
}
