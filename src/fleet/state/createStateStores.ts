/**
 * The one place that decides where Gondola's state lives. Without `GONDOLA_DATABASE_URL`: the embedded default,
 * exactly as before (files in the state dir and the per-user data dir, in-process limiters). With it: every store
 * in Postgres, shared by every worker on every machine. Callers (CLI, host, worker) take what this returns and
 * never know which adapter they hold.
 */
import { createStepWriter } from './stepWriter.js'
import { join } from 'node:path'
import { accountFailureBudget, type FailureBudget } from '../../agent/failureBudget.js'
import { createLedger, type Ledger } from '../../agent/ledger.js'
import type { LimiterFactory } from '../../agent/runner.js'
import type { Env } from '../../config/env.js'
import { fileRunHistory, type RunHistory } from '../../host/runHistory.js'
import { KeyStore, type KeyStoreLockOptions } from '../../keys/KeyStore.js'
import type { JournalStore } from '../../wallet/journal/journal.js'
import { migrate } from '../db/migrate.js'
import { openDatabase, type Database } from '../db/openDatabase.js'
import { FleetStateConfigError } from './errors.js'
import { createPgFailureBudget } from './pgFailureBudget.js'
import { openPgJournal } from './pgJournal.js'
import { openPgKeyStore } from './pgKeyStore.js'
import { createPgLedger } from './pgLedger.js'
import { pgLimiterFactory } from './pgRateLimiter.js'
import { pgRunHistory } from './pgRunHistory.js'

/**
 * Who this process is in a fleet. `treasury` holds the keystore password (signs, mints, reads the ADMIN key);
 * `agent` runs agents with their INFERENCE keys only: the key store is opened WITHOUT the password even if the
 * environment has one, so the ADMIN key cannot be read there. Default `treasury` (a single machine is both).
 */
export type StateRole = 'treasury' | 'agent'

export type StateStores = {
  readonly kind: 'files' | 'postgres'
  /** The pool (Postgres mode only): pg-boss and `gondola fleet status` take it. */
  readonly database: Database | undefined
  /** The wallet journal's store for `createWallet`/`openWallet` (undefined: the file default). */
  readonly journalStore: JournalStore | undefined
  /** The key store (files: `<state>/keys.json`; Postgres: the fleet's, sealed per role). */
  openKeyStore(options?: { locks?: KeyStoreLockOptions | undefined }): Promise<KeyStore>
  /** The spend ledger (files: JSONL at `path`, or memory only). */
  ledger(path?: string | undefined): Ledger
  /** The run history (files: JSONL at `path`; none without one). */
  runHistory(path?: string | undefined): RunHistory | undefined
  /** The account's failure budget: per process with files, per account across the fleet in Postgres. */
  failureBudget(account: string): FailureBudget
  /** The runner's limiter factory (undefined: in-process limiters). */
  readonly createLimiter: LimiterFactory | undefined
  /** Closes the pool (Postgres) — nothing to do with files. */
  close(): Promise<void>
}

export type CreateStateStoresOptions = {
  role?: StateRole | undefined
  /** An open pool to use instead of opening one from `GONDOLA_DATABASE_URL` (it is not closed by `close`). */
  database?: Database | undefined
  /** Let the process exit while the pool is idle (CLI commands); a worker keeps it. Default false. */
  allowExitOnIdle?: boolean | undefined
}

/**
 * Picks file or Postgres stores from the configuration; in Postgres mode opens the pool and applies the
 * migrations (once across processes: see `migrate`).
 *
 * @throws {FleetStateConfigError} an agent worker in Postgres mode without `GONDOLA_FLEET_SECRET` (its keys are sealed with it).
 * @throws {DatabaseError} Postgres unreachable.
 *
 * @example
 * ```ts
 * const stores = await createStateStores(readEnv(), { role: 'agent' })
 * const wallet = await openWallet(env, { journalStore: stores.journalStore })
 * const host = createAgentHost({ wallet, store: await stores.openKeyStore(), ledger: stores.ledger(), failureBudget: stores.failureBudget(wallet.address), createLimiter: stores.createLimiter, … })
 * ```
 */
export async function createStateStores(
  env: Pick<Env, 'GONDOLA_DATABASE_URL' | 'GONDOLA_STATE_DIR' | 'GONDOLA_KEYSTORE_PASSWORD' | 'GONDOLA_FLEET_SECRET'>,
  options: CreateStateStoresOptions = {},
): Promise<StateStores> {
  const role = options.role ?? 'treasury'
  if (!env.GONDOLA_DATABASE_URL && !options.database) return fileStores(env, role)
  if (role === 'agent' && !env.GONDOLA_FLEET_SECRET)
    throw new FleetStateConfigError("An agent worker needs GONDOLA_FLEET_SECRET: the agents' INFERENCE keys in Postgres are sealed with it.", {
      metaMessages: ['Set GONDOLA_FLEET_SECRET to the value the treasury uses (at least 16 characters).'],
    })
  const owned = !options.database
  const db = options.database ?? (await openDatabase({ url: env.GONDOLA_DATABASE_URL!, allowExitOnIdle: options.allowExitOnIdle }))
  await migrate(db)
  const budgets = new Map<string, FailureBudget>()
  // One writer per process: a step's settle, ledger line and (at a run's end) history record share a round trip.
  const writer = createStepWriter(db)
  return {
    kind: 'postgres',
    database: db,
    journalStore: (p) => openPgJournal(db, p),
    openKeyStore: (o = {}) =>
      openPgKeyStore(db, { password: role === 'treasury' ? env.GONDOLA_KEYSTORE_PASSWORD : undefined, fleetSecret: env.GONDOLA_FLEET_SECRET, locks: o.locks }),
    ledger: () => createPgLedger(db, { writer }),
    runHistory: () => pgRunHistory(db, { writer }),
    failureBudget(account) {
      const id = account.toLowerCase()
      let budget = budgets.get(id)
      if (!budget) budgets.set(id, (budget = createPgFailureBudget(db, id)))
      return budget
    },
    createLimiter: pgLimiterFactory(db, { writer }),
    close: () => (owned ? db.close() : Promise.resolve()),
  }
}

/** The embedded default, unchanged: what every caller did before fleet mode existed. */
function fileStores(env: Pick<Env, 'GONDOLA_STATE_DIR' | 'GONDOLA_KEYSTORE_PASSWORD'>, role: StateRole): StateStores {
  return {
    kind: 'files',
    database: undefined,
    journalStore: undefined,
    openKeyStore: (o = {}) =>
      KeyStore.open({
        path: join(env.GONDOLA_STATE_DIR, 'keys.json'),
        password: role === 'treasury' ? env.GONDOLA_KEYSTORE_PASSWORD : undefined,
        locks: o.locks,
      }),
    ledger: (path) => createLedger({ path }),
    runHistory: (path) => (path ? fileRunHistory(path) : undefined),
    failureBudget: (account) => accountFailureBudget(account),
    createLimiter: undefined,
    close: async () => {},
  }
}
