import { getAddress, type Address } from 'viem'
import { ConfigError } from '../../config/ConfigError.js'
import type { KeyStore } from '../../keys/KeyStore.js'

/**
 * The key store as an agent worker may use it: INFERENCE keys only. ADMIN keys are invisible (listed as none)
 * and revealing one throws, so the host runs without the ADMIN key (balances come from response headers) and
 * nothing on an agent worker can mint, revoke or list keys.
 *
 * @example
 * ```ts
 * const store = inferenceOnly(await openKeyStoreFromEnv(env))
 * store.keys('ADMIN') // []
 * ```
 */
export function inferenceOnly(store: KeyStore): KeyStore {
  const admin = () => new Set(store.keys('ADMIN').map((k) => k.id))
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'keys') return (type?: 'ADMIN' | 'INFERENCE') => (type === 'ADMIN' ? [] : target.keys('INFERENCE'))
      if (prop === 'summaries') return (type?: 'ADMIN' | 'INFERENCE') => (type === 'ADMIN' ? [] : target.summaries('INFERENCE'))
      if (prop === 'reveal')
        return (id: string) => {
          if (admin().has(id)) throw new ConfigError('An agent worker never uses the ADMIN key.')
          return target.reveal(id)
        }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/**
 * The one wallet the store's agent keys belong to (an agent worker serves one wallet).
 *
 * @throws {ConfigError} when there are no agent keys, or keys of several wallets.
 */
export function walletOfAgentKeys(store: KeyStore): Address {
  const wallets = [
    ...new Set(
      store
        .keys('INFERENCE')
        .filter((k) => k.agent)
        .map((k) => getAddress(k.wallet)),
    ),
  ]
  if (wallets.length === 0)
    throw new ConfigError('The key store has no agent keys: an agent worker has nothing to run with.', {
      metaMessages: ['Run: gondola provision --agents <name,…> (against this GONDOLA_STATE_DIR).'],
    })
  if (wallets.length > 1)
    throw new ConfigError(`The key store holds agent keys of ${wallets.length} wallets; an agent worker serves one.`, {
      metaMessages: ['Give each wallet its own GONDOLA_STATE_DIR and workers.'],
    })
  return wallets[0]!
}
