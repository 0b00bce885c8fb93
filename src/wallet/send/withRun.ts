import type { Wallet } from '../createWallet.js'
import type { JournalRun } from '../journal/journal.js'
import { held } from './heldLocks.js'
import { settleStep } from './settleStep.js'
import type { RunContext } from './sendCall.js'

export type WithRunParameters = {
  /** Canonical description of the call, e.g. `swapEthForVvv:amountIn=10000000000000000`. */
  intent: string
  /** Defaults to the intent: running the same call again after a crash resumes it. */
  idempotencyKey?: string | undefined
}

/**
 * Runs `body` holding the wallet journal's inter-process lock, with the journal re-read first: another
 * process (or wallet object) on the same address and chain — from any state dir on this machine — waits, up
 * to `wallet.lockTimeoutMs`. Everything `body` decides from the journal (a funding window, the daily spend)
 * and everything it sends is one critical section. Wallet actions called inside `body` run under the same
 * lock (they do not wait for it). A dry run takes no lock.
 *
 * @throws {WalletLockedError} when another live process holds the lock past the timeout (nothing was sent).
 *
 * @example
 * ```ts
 * await withWalletLock(wallet, async () => {
 *   if (lastTopUpAt(wallet) > Date.now() - 3_600_000) return 'refused'
 *   return topUp(wallet, { eth })
 * })
 * ```
 */
export async function withWalletLock<T>(wallet: Wallet, body: () => Promise<T>): Promise<T> {
  const path = wallet.journal.path
  const mine = held.getStore()
  if (wallet.dryRun || mine?.has(path)) return body()
  const lock = await wallet.journal.lock({ timeoutMs: wallet.lockTimeoutMs, staleMs: wallet.lockStaleMs })
  try {
    await wallet.journal.reload()
    return await held.run(new Map([...(mine ?? []), [path, lock]]), body)
  } finally {
    await lock.release()
  }
}

/**
 * Runs an action body as one journaled run, holding the journal's inter-process lock throughout
 * (see {@link withWalletLock}). A dry run takes no lock and reads the journal as it is.
 *
 * Then, every transaction left `signed` by an interrupted run is settled (awaited, or rebroadcast
 * from its signed bytes), so nonces and balances are final before anything new is decided. An
 * unfinished run with the same key is resumed: its confirmed steps are returned, not re-sent. Other
 * unfinished runs are closed as `interrupted`. The run is closed `done` when the body returns, and
 * `failed` when it throws with nothing left in flight (a step still `signed` keeps it open).
 *
 * @throws {WalletLockedError} when another live process holds the lock past the timeout (nothing was sent).
 *
 * @example
 * ```ts
 * const result = await withRun(wallet, { intent: `claim` }, async (run) => sendCall(wallet, run, 'claim', build))
 * ```
 */
export async function withRun<T>(wallet: Wallet, parameters: WithRunParameters, body: (run: RunContext) => Promise<T>): Promise<T> {
  const key = parameters.idempotencyKey ?? parameters.intent
  if (wallet.dryRun) return body({ key, intent: parameters.intent, record: undefined, steps: [] })
  return withWalletLock(wallet, () => locked(wallet, key, parameters.intent, body))
}

async function locked<T>(wallet: Wallet, key: string, intent: string, body: (run: RunContext) => Promise<T>): Promise<T> {
  await settleOthers(wallet, key)
  const run: RunContext = { key, intent, record: wallet.journal.findResumable(key), steps: [] }
  try {
    const result = await body(run)
    if (run.record) await wallet.journal.closeRun(run.record, 'done')
    return result
  } catch (err) {
    if (run.record && !run.record.steps.some((s) => s.status === 'signed')) await wallet.journal.closeRun(run.record, 'failed')
    throw err
  }
}

/**
 * Reconciles every step left `signed` (by a crash, a cut connection, a receipt timeout) against the chain, by
 * its nonce: a step with a receipt is recorded confirmed or reverted; one without is rebroadcast from its
 * signed bytes (same hash, same nonce: it can never run twice); one whose nonce another transaction took is
 * recorded `dropped`. A run left with nothing paid (every step dropped or reverted) is closed `failed`. Call it
 * under the wallet lock ({@link withWalletLock}).
 *
 * @example
 * ```ts
 * await withWalletLock(wallet, () => reconcileJournal(wallet))
 * ```
 */
export async function reconcileJournal(wallet: Wallet): Promise<void> {
  if (wallet.dryRun) return // a dry run sends nothing, not even a rebroadcast
  for (const record of wallet.journal.runs()) {
    if (record.status === 'done') continue
    for (const step of record.steps) if (step.status === 'signed') await settleStep(wallet, record, step)
    if (record.status === 'open' && !paidFor(record)) await wallet.journal.closeRun(record, 'failed')
  }
}

/** Whether a run has a transaction on chain (confirmed) or possibly on its way (signed). */
export function paidFor(record: JournalRun): boolean {
  return record.steps.some((s) => s.status === 'confirmed' || s.status === 'signed')
}

async function settleOthers(wallet: Wallet, key: string): Promise<void> {
  for (const record of wallet.journal.runs()) {
    if (record.status !== 'open' && record.status !== 'failed') continue
    for (const step of record.steps) if (step.status === 'signed') await settleStep(wallet, record, step)
    if (record.key !== key) await wallet.journal.closeRun(record, 'interrupted')
  }
}
