import { assertInstalled, importOptional, X402_FEATURE, X402_PACKAGES } from '../../util/optionalDependency.js'

/**
 * The x402 client packages (`@x402/core`, `@x402/evm`), loaded when a payment is first signed: they are optional
 * peers (13 MB), installed only by those who pay by x402 (issue #25). Missing, they fail with one line naming both
 * and the install command, before anything is signed.
 *
 * @throws {MissingDependencyError} naming the packages to install.
 * @example
 * ```ts
 * const { ExactEvmScheme } = await loadX402()
 * ```
 */
export async function loadX402() {
  assertInstalled(X402_PACKAGES, X402_FEATURE)
  const [client, evm] = await Promise.all([
    importOptional<typeof import('@x402/core/client')>('@x402/core/client', X402_FEATURE),
    importOptional<typeof import('@x402/evm')>('@x402/evm', X402_FEATURE),
  ])
  return { x402Client: client.x402Client, x402HTTPClient: client.x402HTTPClient, ExactEvmScheme: evm.ExactEvmScheme }
}
