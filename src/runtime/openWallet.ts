import type { LocalAccount } from 'viem'
import { defaultDataDir, isInteractive, type Env } from '../config/env.js'
import { resolveChain } from './createClients.js'
import { keystorePathFromEnv } from './keystorePath.js'
import { loadAccount } from '../wallet/accounts/loadAccount.js'
import { createWallet, type Wallet, type WalletHooks } from '../wallet/createWallet.js'
import type { JournalStore, OpenJournalParameters } from '../wallet/journal/journal.js'
import { policyFromEnv } from '../wallet/policy/policy.js'
import { getLogger } from '../util/logger.js'

export { keystorePathFromEnv }

/**
 * Loads the configured account: GONDOLA_PRIVATE_KEY (with a warning), else the keystore with
 * GONDOLA_KEYSTORE_PASSWORD, else an interactive prompt when a terminal is attached.
 *
 * @example
 * ```ts
 * const account = await loadAccountFromEnv(readEnv())
 * ```
 */
export function loadAccountFromEnv(env: Env): Promise<LocalAccount> {
  return loadAccount({
    keystorePath: keystorePathFromEnv(env),
    password: env.GONDOLA_KEYSTORE_PASSWORD,
    privateKey: env.GONDOLA_PRIVATE_KEY,
    prompt: isInteractive(),
    warn: (m) => getLogger('wallet').warn(m),
  })
}

/**
 * The wallet as configured: network and address book (devnet discovered, or Base), account,
 * spend policy from GONDOLA_POLICY_*, journal in GONDOLA_DATA_DIR (per address, shared by every state dir) — or, in fleet
 * mode (GONDOLA_DATABASE_URL), in Postgres, with its lock, shared by every machine.
 *
 * @example
 * ```ts
 * const wallet = await openWallet(readEnv())
 * await ensureStake(wallet, { targetSvvv: parseEther('100') })
 * ```
 */
export async function openWallet(
  env: Env,
  options: { dryRun?: boolean | undefined; hooks?: WalletHooks | undefined; journalStore?: JournalStore | undefined; account?: LocalAccount | undefined } = {},
): Promise<Wallet> {
  const { publicClient, addresses } = await resolveChain(env)
  const account = options.account ?? (await loadAccountFromEnv(env))
  const url = env.GONDOLA_DATABASE_URL
  // Loaded only in fleet mode: the embedded default does not even load the Postgres driver.
  const journalStore = options.journalStore ?? (url ? (p: OpenJournalParameters) => fleetJournal(url, p) : undefined)
  return createWallet({
    account,
    publicClient,
    addresses,
    policy: policyFromEnv(env, addresses),
    stateDir: env.GONDOLA_STATE_DIR,
    dataDir: env.GONDOLA_DATA_DIR ?? defaultDataDir(),
    dryRun: options.dryRun,
    hooks: options.hooks,
    journalStore,
  })
}

async function fleetJournal(url: string, p: OpenJournalParameters) {
  const [{ databaseFor }, { openPgJournal }] = await Promise.all([import('../fleet/state/sharedDatabase.js'), import('../fleet/state/pgJournal.js')])
  return openPgJournal(await databaseFor(url), p)
}
