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

/** The x402 rail's client packages (signing an EIP-3009 payment, reading `PAYMENT-RESPONSE`): optional peers. */
export const X402_PACKAGES = ['@x402/core', '@x402/evm'] as const

/** The x402 rail, in words, for the error. */
export const X402_FEATURE = 'The x402 rail (gondola x402, --pay x402, funding.rail x402)'

/** The MCP server's SDK (and its HTTP stack): an optional peer, installed by those who serve MCP. */
export const MCP_PACKAGES = ['@modelcontextprotocol/sdk'] as const

/** The MCP server, in words, for the error. */
export const MCP_FEATURE = 'The MCP server (gondola mcp, createMcpServer)'

/**
 * Fails before a feature loads if any of its optional packages is missing, naming every missing one and the one
 * command that installs them all (rather than the first module Node could not find, with no command).
 *
 * @param o.dev - whether the packages are development tools (the hint says `npm install --save-dev`).
 * @throws {MissingDependencyError} naming the missing packages and the `npm install` command for them.
 *
 * @example
 * ```ts
 * assertInstalled(['@opentelemetry/sdk-trace-base', '@opentelemetry/resources'], 'OpenTelemetry tracing')
 * const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base')
 * ```
 */
export function assertInstalled(packages: readonly string[], feature: string, o: { dev?: boolean } = {}): void {
  const absent = packages.filter((pkg) => {
    try {
      require.resolve(`${pkg}/package.json`)
      return false
    } catch (err) {
      // A package whose exports hide package.json still resolves by its name.
      if ((err as { code?: unknown }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return false
      return true
    }
  })
  if (absent.length === 0) return
  throw new MissingDependencyError(`${feature} needs ${absent.length === 1 ? 'the package' : 'the packages'} ${absent.join(', ')}, not installed.`, {
    metaMessages: [`Install ${absent.length === 1 ? 'it' : 'them'} beside gondola: npm install ${o.dev ? '--save-dev ' : ''}${absent.join(' ')}`],
    code: 'DEPENDENCY_MISSING',
  })
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
