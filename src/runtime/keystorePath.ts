import { join } from 'node:path'
import type { Env } from '../config/env.js'

/**
 * Where the keystore lives: GONDOLA_KEYSTORE, else `<stateDir>/wallet.keystore.json`. Its own module, so that
 * `gondola wallet address` finds the file without loading the wallet.
 *
 * @example
 * ```ts
 * keystorePathFromEnv(readEnv({ GONDOLA_STATE_DIR: '/tmp/bot7' })) // '/tmp/bot7/wallet.keystore.json'
 * ```
 */
export function keystorePathFromEnv(env: Pick<Env, 'GONDOLA_KEYSTORE' | 'GONDOLA_STATE_DIR'>): string {
  return env.GONDOLA_KEYSTORE ?? join(env.GONDOLA_STATE_DIR, 'wallet.keystore.json')
}
