/**
 * Gondola's state in Postgres: the adapters behind the same ports the embedded (file) default implements —
 * the wallet journal and its lock, the key store, the ledger and run history, the shared rate budget and the
 * account's failure budget. `createStateStores` picks file or Postgres adapters in one place.
 */
export { acquireAdvisoryLock, advisoryKeyOf, AdvisoryLockTimeoutError, type AdvisoryLock, type AcquireAdvisoryLockParameters } from './advisoryLock.js'
export { openPgJournal, walletIdOf } from './pgJournal.js'
export { FleetStateConfigError } from './errors.js'
export { openPgKeyStore, pgKeyStoreBackend } from './pgKeyStore.js'
export { createPgLedger, pgLedgerSink, readPgLedger, ledgerKeyOf } from './pgLedger.js'
export { pgRunHistory } from './pgRunHistory.js'
export { createPgFailureBudget, type PgFailureBudget } from './pgFailureBudget.js'
export { createPgRateLimiter, pgLimiterFactory, keyBucketOf, readRateBucket, type PgRateLimiterOptions } from './pgRateLimiter.js'
export { createStateStores, type StateStores, type StateRole, type CreateStateStoresOptions } from './createStateStores.js'
export { databaseFor } from './sharedDatabase.js'
