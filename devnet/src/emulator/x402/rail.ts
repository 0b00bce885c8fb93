/**
 * The emulator's x402 rail in one value: settings, credits, the SIWX verifier and the top-up settler.
 */
import { resolveX402Config, type X402Config, type X402Options } from './config.js'
import { createX402Credits, type X402Credits } from './credits.js'
import { createTopUpSettler, type TopUpSettler } from './settleTopUp.js'
import { createSiwxVerifier, type SiwxVerifier } from './siwx.js'

export type X402Rail = { config: X402Config; credits: X402Credits; siwx: SiwxVerifier; settler: TopUpSettler }

/**
 * @example
 * ```ts
 * const rail = createX402Rail({ chainId: 31337 }, () => Date.now())
 * rail.config.network // 'eip155:31337'
 * ```
 */
export function createX402Rail(options: X402Options | undefined, now: () => number): X402Rail {
  const config = resolveX402Config(options)
  return {
    config,
    credits: createX402Credits(now),
    siwx: createSiwxVerifier({ domain: config.siwxDomain, chainId: config.chainId, now }),
    settler: createTopUpSettler(config),
  }
}
