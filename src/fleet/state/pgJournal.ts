/**
 * The wallet journal in Postgres: the same `Journal` as the file one (runs, steps recorded with their raw bytes
 * BEFORE broadcast, outcomes after, the daily spend), keyed by chain id, chain instance and address, so every
 * worker on every machine sees one journal per wallet. Its lock is a session-level advisory lock
 * (`advisoryLock.ts`): one process per wallet across machines, freed when its holder dies.
 *
 * Like the file journal, the in-memory copy is read at open and again by `reload()`, which `withWalletLock`
 * calls right after taking the lock; every change is one statement, committed before the call returns.
 */
import type { Address } from 'viem'
import {
  applySignedStep,
  findResumableRun,
  spentOnDayOf,
  type Journal,
  type JournalRun,
  type JournalStep,
  type OpenJournalParameters,
} from '../../wallet/journal/journal.js'
import { WalletLockedError } from '../../wallet/errors.js'
import type { Database } from '../db/openDatabase.js'
import { AdvisoryLockTimeoutError, acquireAdvisoryLock } from './advisoryLock.js'

type Row = { id: string; key: string; intent: string; status: JournalRun['status']; created_at: Date; updated_at: Date; steps: JournalStep[] }

/**
 * The journal's identity in the database: `<chainId>[-<instance>]:<address lowercased>`.
 *
 * @example
 * ```ts
 * walletIdOf({ chainId: 8453, address: '0xAbC…' }) // '8453:0xabc…'
 * ```
 */
export function walletIdOf(p: { chainId: number; chainInstance?: string | undefined; address: Address | string }): string {
  return `${p.chainId}${p.chainInstance ? `-${p.chainInstance}` : ''}:${p.address.toLowerCase()}`
}

/**
 * Opens the Postgres journal of one wallet on one chain (migrations must have run: see `migrate`).
 *
 * @example
 * ```ts
 * const journal = await openPgJournal(db, { chainId: 8453, address })
 * journal.spentOnDay(new Date()) // wei signed today (UTC), by every worker
 * ```
 */
export async function openPgJournal(db: Database, parameters: Pick<OpenJournalParameters, 'chainId' | 'chainInstance' | 'address' | 'now'>): Promise<Journal> {
  const now = parameters.now ?? (() => new Date())
  const wallet = walletIdOf(parameters)
  const path = `${db.displayUrl}#wallet:${wallet}`
  const ids = new WeakMap<JournalRun, string>()
  const runs: JournalRun[] = []

  const load = async (): Promise<void> => {
    const rows = await db.query<Row>('SELECT id, key, intent, status, created_at, updated_at, steps FROM gondola.wallet_runs WHERE wallet = $1 ORDER BY id', [
      wallet,
    ])
    const fresh = rows.map((r) => {
      const run: JournalRun = {
        key: r.key,
        intent: r.intent,
        status: r.status,
        createdAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        steps: r.steps,
      }
      ids.set(run, r.id)
      return run
    })
    runs.splice(0, runs.length, ...fresh)
  }
  const idOf = (run: JournalRun): string => {
    const id = ids.get(run)
    if (!id) throw new Error('This run is not from this journal (reload() replaced it?).')
    return id
  }
  const save = async (run: JournalRun): Promise<void> => {
    run.updatedAt = now().toISOString()
    await db.query('UPDATE gondola.wallet_runs SET status = $2, updated_at = $3, steps = $4 WHERE id = $1', [
      idOf(run),
      run.status,
      run.updatedAt,
      JSON.stringify(run.steps),
    ])
  }
  /** Same horizon as the file journal: closed runs older than two days beyond the last 100 are dropped. */
  const prune = async (): Promise<void> => {
    const horizon = new Date(now().getTime() - 2 * 86_400_000).toISOString()
    const gone = await db.query<{ id: string }>(
      `DELETE FROM gondola.wallet_runs WHERE id IN (
         SELECT id FROM gondola.wallet_runs WHERE wallet = $1 AND status <> 'open' AND updated_at < $2 ORDER BY id DESC OFFSET 100
       ) RETURNING id`,
      [wallet, horizon],
    )
    if (gone.length === 0) return
    const dropped = new Set(gone.map((g) => g.id))
    runs.splice(0, runs.length, ...runs.filter((r) => !dropped.has(ids.get(r) ?? '')))
  }

  await load()
  return {
    path,
    runs: () => runs,
    findResumable: (key) => findResumableRun(runs, key),
    async startRun(key, intent) {
      const at = now().toISOString()
      const run: JournalRun = { key, intent, status: 'open', createdAt: at, updatedAt: at, steps: [] }
      const [row] = await db.query<{ id: string }>(
        'INSERT INTO gondola.wallet_runs (wallet, key, intent, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
        [wallet, key, intent, 'open', at],
      )
      ids.set(run, row!.id)
      runs.push(run)
      if (runs.length > 100) await prune()
      return run
    },
    async recordSigned(run, step) {
      const record = applySignedStep(run, step, now())
      await save(run)
      return record
    },
    async recordOutcome(run, step, outcome) {
      Object.assign(step, outcome)
      await save(run)
    },
    async closeRun(run, status) {
      run.status = status
      await save(run)
    },
    reload: load,
    async reopenRun(run) {
      run.status = 'open'
      await save(run)
    },
    spentOnDay: (at) => spentOnDayOf(runs, at),
    async lock({ timeoutMs }) {
      try {
        return await acquireAdvisoryLock({ db, name: `wallet:${wallet}`, timeoutMs })
      } catch (err) {
        if (!(err instanceof AdvisoryLockTimeoutError)) throw err
        throw new WalletLockedError(path, err.holder, timeoutMs, {
          cause: err,
          metaMessages: [
            'Wait for that process to finish and run the command again, or raise the wallet lock timeout.',
            'The lock is a Postgres advisory lock: it is freed as soon as its holder exits or its connection drops.',
          ],
        })
      }
    },
  }
}
