import type { Address } from 'viem'
import { resolveChain } from '../../runtime/createClients.js'
import { defaultDataDir, type Env } from '../../config/env.js'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { createWallet, type Wallet } from '../../wallet/createWallet.js'
import type { WalletSigner } from '../../wallet/accounts/toSigner.js'
import { policyFromEnv } from '../../wallet/policy/policy.js'
import type { JournalStore } from '../../wallet/journal/journal.js'

/** Something tried to sign on an agent worker: only the treasury signs. */
export class AgentWorkerCannotSignError extends BaseError {
  override name = 'AgentWorkerCannotSignError' as const
  override exitCode = ExitCode.policy
}

/**
 * The wallet as an agent worker sees it: balances and the address book, no key. Its signer refuses every
 * signature (a top-up goes to the treasury's queue instead), so nothing on an agent worker can move money even
 * by mistake — and the private key is never loaded into the process.
 *
 * @example
 * ```ts
 * const wallet = await readOnlyWallet(readEnv(), '0x…')
 * await getBalances(wallet) // works; wallet.signer.signMessage(…) throws AgentWorkerCannotSignError
 * ```
 */
export async function readOnlyWallet(env: Env, address: Address, o: { journalStore?: JournalStore | undefined } = {}): Promise<Wallet> {
  const { publicClient, addresses } = await resolveChain(env)
  const refuse = async (): Promise<never> => {
    throw new AgentWorkerCannotSignError('An agent worker never signs: top-ups are jobs for `gondola worker --treasury`.')
  }
  const signer: WalletSigner = { address, signMessage: refuse, signTransaction: refuse }
  return createWallet({
    account: signer,
    publicClient,
    addresses,
    policy: policyFromEnv(env, addresses),
    stateDir: env.GONDOLA_STATE_DIR,
    dataDir: env.GONDOLA_DATA_DIR ?? defaultDataDir(),
    journalStore: o.journalStore,
  })
}
