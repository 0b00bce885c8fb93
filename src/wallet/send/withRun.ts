import type { Wallet } from '../createWallet.js'
import { lockJournal } from '../journal/lockJournal.js'
import { settleStep } from './settleStep.js'
import type { RunContext } from './sendCall.js'

export type WithRunParameters = {
  /** Canonical description of the call, e.g. `swapEthForVvv:amountIn=10000000000000000`. */
  intent: string
  /** Defaults to the intent: running the same call again after a crash resumes it. */
  idempotencyKey?: string | undefined
}

/**
 * Runs an action body as one journaled run, holding the journal's inter-process lock throughout:
 * a second process (or wallet object) on the same state dir, chain and address waits for it, up to
 * `wallet.lockTimeoutMs`. Under the lock the journal is re-read, since another process may have
 * written it. A dry run takes no lock and reads the journal as it is.
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
  const lock = await lockJournal({ journalPath: wallet.journal.path, timeoutMs: wallet.lockTimeoutMs, staleMs: wallet.lockStaleMs })
  try {
    await wallet.journal.reload()
    return await locked(wallet, key, parameters.intent, body)
  } finally {
    await lock.release()
  }
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

async function settleOthers(wallet: Wallet, key: string): Promise<void> {
  for (const record of wallet.journal.runs()) {
    if (record.status !== 'open' && record.status !== 'failed') continue
    for (const step of record.steps) if (step.status === 'signed') await settleStep(wallet, record, step)
    if (record.key !== key) await wallet.journal.closeRun(record, 'interrupted')
  }
}
