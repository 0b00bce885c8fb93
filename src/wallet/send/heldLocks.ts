import { AsyncLocalStorage } from 'node:async_hooks'
import type { Wallet } from '../createWallet.js'
import { WalletLockedError } from '../errors.js'
import type { JournalLock } from '../journal/journal.js'

/** The journals whose lock the current async context holds (so a nested run does not wait for itself), with the lock. */
export const held = new AsyncLocalStorage<ReadonlyMap<string, JournalLock>>()

/**
 * Refuses to sign when the wallet lock this context holds was lost (a Postgres advisory lock whose connection
 * broke, e.g. the server restarted): another process may hold the wallet now. Called before every signature.
 *
 * @throws {WalletLockedError} when the lock was lost; nothing is signed.
 *
 * @example
 * ```ts
 * assertWalletLockHeld(wallet) // in sendCall, right before signing
 * ```
 */
export function assertWalletLockHeld(wallet: Wallet): void {
  const lock = held.getStore()?.get(wallet.journal.path)
  if (lock?.lost?.()) {
    throw new WalletLockedError(wallet.journal.path, undefined, 0, {
      metaMessages: [
        'The connection holding the wallet lock broke (Postgres restarted?): nothing more is signed in this run. Run it again: it resumes from the journal.',
      ],
      code: 'WALLET_LOCK_LOST',
    })
  }
}
