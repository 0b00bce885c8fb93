import type { Env } from '../config/env.js'
import { ConfigError } from '../config/ConfigError.js'
import { readDevnetInfo } from '../chain/devnetInfo.js'

/** Venice's production API. */
export const VENICE_API_BASE_URL = 'https://api.venice.ai/api/v1'

/**
 * The Venice API base URL for this configuration: VENICE_API_BASE_URL if set; api.venice.ai on Base;
 * on the devnet, the emulator that the running `gondola devnet` published.
 *
 * @example
 * ```ts
 * resolveVeniceBaseUrl(readEnv({ GONDOLA_NETWORK: 'base', BASE_RPC_URL: 'https://mainnet.base.org' })) // 'https://api.venice.ai/api/v1'
 * ```
 */
export function resolveVeniceBaseUrl(env: Pick<Env, 'VENICE_API_BASE_URL' | 'GONDOLA_NETWORK' | 'GONDOLA_STATE_DIR'>): string {
  if (env.VENICE_API_BASE_URL) return env.VENICE_API_BASE_URL
  if (env.GONDOLA_NETWORK === 'base') return VENICE_API_BASE_URL
  const info = readDevnetInfo(env.GONDOLA_STATE_DIR)
  if (!info.veniceBaseUrl) {
    throw new ConfigError('The running devnet publishes no Venice emulator URL.', {
      metaMessages: ['Restart it with `gondola devnet`, or set VENICE_API_BASE_URL.'],
    })
  }
  return info.veniceBaseUrl
}
