import { join } from 'node:path'
import type { Env } from '../config/env.js'
import { KeyStore } from '../keys/KeyStore.js'
import type { KeySummary } from '../keys/KeyStore.js'
import { formatNumber } from './format.js'

/** The key store as configured: `<GONDOLA_STATE_DIR>/keys.json`, sealed with GONDOLA_KEYSTORE_PASSWORD when set. */
export function openKeyStoreFromEnv(env: Pick<Env, 'GONDOLA_STATE_DIR' | 'GONDOLA_KEYSTORE_PASSWORD'>): Promise<KeyStore> {
  return KeyStore.open({ path: join(env.GONDOLA_STATE_DIR, 'keys.json'), password: env.GONDOLA_KEYSTORE_PASSWORD })
}

/** One line for a kept key: id, type, agent, limits, expiry, redacted secret. */
export function keyLine(k: KeySummary): string {
  const limits = [k.consumptionLimit.diem != null ? `${formatNumber(k.consumptionLimit.diem)} Diem` : '', k.consumptionLimit.usd != null ? `$${formatNumber(k.consumptionLimit.usd)}` : ''].filter(Boolean).join(' + ')
  return [
    k.id.slice(0, 8),
    k.apiKeyType.padEnd(9),
    (k.agent ?? '-').padEnd(14),
    limits ? `${limits}/${k.limitPeriod ?? 'EPOCH'}` : 'unlimited',
    k.expiresAt ? `expires ${k.expiresAt}` : 'no expiry',
    k.redacted,
  ].join('  ')
}
