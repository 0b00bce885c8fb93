/**
 * Fleet mode: Gondola's state in Postgres (`GONDOLA_DATABASE_URL`) so that workers on several machines share
 * one wallet journal, key store, ledger, funding window and rate budget. Without the variable nothing here is
 * used and the embedded file-based default applies.
 */
export * from './db/index.js'
export * from './jobs/index.js'
export * from './worker/index.js'
export * from './state/index.js'
