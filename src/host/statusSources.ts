import { ledgerPathIn, readLedger, type LedgerEntry } from '../agent/ledger.js'
import { autopilotAllowance } from '../autopilot/allowanceAfterReset.js'
import { stakedDiemRule } from '../chain/stakedDiemRule.js'
import type { Env } from '../config/env.js'
import type { KeyStore } from '../keys/KeyStore.js'
import type { StatusSources } from '../status/index.js'
import type { Wallet } from '../wallet/createWallet.js'

/**
 * What the status model reads, from the environment and an opened wallet and key store: the state dir's ledger, the
 * autopilot's allowance projection, an ADMIN key from the environment as fallback. `gondola status` and the
 * dashboard build their sources here, so they read the same things.
 *
 * @example
 * ```ts
 * const status = await collectStatus(statusSourcesOf(env, { wallet, store, baseURL }), { now: Date.now(), windowMs: DEFAULT_BURN_WINDOW_MS })
 * ```
 */
export function statusSourcesOf(
  env: Pick<Env, 'GONDOLA_STATE_DIR' | 'GONDOLA_NETWORK' | 'VENICE_ADMIN_API_KEY' | 'GONDOLA_AUTOPILOT_MIN_STAKED_DIEM'>,
  o: { wallet: Wallet; store: KeyStore; baseURL: string },
): StatusSources<LedgerEntry> {
  const stateDir = env.GONDOLA_STATE_DIR
  return {
    ...o,
    network: env.GONDOLA_NETWORK,
    readSpends: () => readLedger(ledgerPathIn(stateDir)),
    fallbackAdminKey: env.VENICE_ADMIN_API_KEY,
    projectAllowance: autopilotAllowance({ wallet: o.wallet, stateDir, minStakedDiem: stakedDiemRule(env, o.baseURL).minStakedDiem }),
  }
}
