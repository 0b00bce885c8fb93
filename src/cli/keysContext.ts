import { join } from 'node:path'
import type { Env } from '../config/env.js'
import { KeyStore } from '../keys/KeyStore.js'
import { typedKeystorePassword } from '../wallet/accounts/loadAccount.js'
import type { KeySummary } from '../keys/KeyStore.js'
import { formatNumber } from './format.js'

/**
 * The key store as configured: `<GONDOLA_STATE_DIR>/keys.json`, sealed with GONDOLA_KEYSTORE_PASSWORD when set; in
 * fleet mode (GONDOLA_DATABASE_URL) the fleet's store in Postgres (ADMIN key under the password, INFERENCE keys
 * under GONDOLA_FLEET_SECRET).
 */
export async function openKeyStoreFromEnv(
  env: Pick<Env, 'GONDOLA_STATE_DIR' | 'GONDOLA_KEYSTORE_PASSWORD'> & Partial<Pick<Env, 'GONDOLA_DATABASE_URL' | 'GONDOLA_FLEET_SECRET'>>,
): Promise<KeyStore> {
  if (env.GONDOLA_DATABASE_URL) {
    // Loaded only in fleet mode: the embedded default does not load the Postgres driver.
    const [{ databaseFor }, { openPgKeyStore }] = await Promise.all([import('../fleet/state/sharedDatabase.js'), import('../fleet/state/pgKeyStore.js')])
    return openPgKeyStore(await databaseFor(env.GONDOLA_DATABASE_URL), {
      password: env.GONDOLA_KEYSTORE_PASSWORD ?? typedKeystorePassword(),
      fleetSecret: env.GONDOLA_FLEET_SECRET,
    })
  }
  // A password typed at the wallet's prompt seals the key store exactly as an exported one would.
  return KeyStore.open({ path: join(env.GONDOLA_STATE_DIR, 'keys.json'), password: env.GONDOLA_KEYSTORE_PASSWORD ?? typedKeystorePassword() })
}

/** One line for a kept key: id, type, agent, limits, expiry, redacted secret. */
export function keyLine(k: KeySummary): string {
  const limits = [
    k.consumptionLimit.diem != null ? `${formatNumber(k.consumptionLimit.diem)} Diem` : '',
    k.consumptionLimit.usd != null ? `$${formatNumber(k.consumptionLimit.usd)}` : '',
  ]
    .filter(Boolean)
    .join(' + ')
  return [
    k.id.slice(0, 8),
    k.apiKeyType.padEnd(9),
    (k.agent ?? '-').padEnd(14),
    limits ? `${limits}/${k.limitPeriod ?? 'EPOCH'}` : 'unlimited',
    k.expiresAt ? `expires ${k.expiresAt}` : 'no expiry',
    k.redacted,
  ].join('  ')
}
