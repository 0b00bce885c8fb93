import type { VeniceClient } from '../venice/createVeniceClient.js'
import type { KeyStore } from './KeyStore.js'
import { attemptIdOf } from './keyRequest.js'

export type ReconcileResult = {
  /** Keys minted by an interrupted attempt whose secret was never stored: revoked. */
  revoked: string[]
  /** Attempts cleared (whether or not the server had minted a key for them). */
  cleared: string[]
}

/**
 * Settles mints left in flight by an earlier run. The secret of such a key was never stored, so it can't be
 * used: it is found by its attempt tag in the description, revoked with the ADMIN key, and the attempt cleared.
 * A key that is in the store is never revoked.
 *
 * @example
 * ```ts
 * const { revoked } = await reconcileAttempts({ admin, store, wallet, apiOrigin })
 * ```
 */
export async function reconcileAttempts(p: { admin: VeniceClient; store: KeyStore; wallet: string; apiOrigin: string }): Promise<ReconcileResult> {
  const pending = p.store.pendingAttempts({ wallet: p.wallet, apiOrigin: p.apiOrigin })
  if (pending.length === 0) return { revoked: [], cleared: [] }
  const kept = new Set(p.store.keys().map((k) => k.id))
  const serverKeys = await p.admin.listApiKeys()
  const revoked: string[] = []
  for (const attempt of pending) {
    const orphans = serverKeys.filter((k) => k.description && attemptIdOf(k.description) === attempt.attemptId && !kept.has(k.id))
    for (const orphan of orphans) {
      await p.admin.deleteApiKey(orphan.id)
      revoked.push(orphan.id)
    }
    await p.store.abandonAttempt(attempt.attemptId)
  }
  return { revoked, cleared: pending.map((a) => a.attemptId) }
}
