import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Database } from './openDatabase.js'
import { SchemaTooNewError } from './errors.js'

/** The folder of numbered `.sql` files (`NNN_name.sql`), copied into dist/ by the build. */
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))

/** One migration file. */
export type Migration = { id: number; name: string; sql: string }

/** Any 64-bit number, fixed: the advisory lock that serialises migrations across processes and machines. */
const MIGRATION_LOCK = 0x676f6e646f6c61n // "gondola"

/**
 * Reads the migrations shipped with Gondola, in order.
 *
 * @example
 * ```ts
 * (await listMigrations()).map((m) => m.name) // ['001_schema', …]
 * ```
 */
export async function listMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort()
  const out: Migration[] = []
  for (const f of files) out.push({ id: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: await readFile(`${dir}${f}`, 'utf8') })
  const ids = out.map((m) => m.id)
  if (new Set(ids).size !== ids.length) throw new Error(`Two migrations in ${dir} share a number: ${files.join(', ')}`)
  return out
}

/**
 * Brings the database schema up to date: applies every migration not yet recorded in
 * `gondola.migrations`, in one transaction under an advisory lock — two workers starting
 * together apply each migration once, the second waits and finds nothing to do. Hand-written rather than a
 * migration library: it is forty lines, the SQL files are plain, and it keeps the package free of a
 * framework that brings its own CLI and config.
 *
 * @returns the names of the migrations applied now (empty when already up to date).
 * @throws {SchemaTooNewError} when the database has a migration this version does not know (an older worker
 *   against a newer schema): it refuses rather than run on a shape it does not understand.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ url })
 * await migrate(db) // ['001_schema', …] the first time, [] after
 * ```
 */
export async function migrate(db: Database, migrations?: readonly Migration[]): Promise<string[]> {
  const all = migrations ?? (await listMigrations())
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query('CREATE SCHEMA IF NOT EXISTS gondola')
    await tx.query('CREATE TABLE IF NOT EXISTS gondola.migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
    const done = new Map((await tx.query<{ id: number; name: string }>('SELECT id, name FROM gondola.migrations')).map((r) => [r.id, r.name]))
    const known = new Set(all.map((m) => m.id))
    const unknown = [...done].filter(([id]) => !known.has(id))
    if (unknown.length > 0)
      throw new SchemaTooNewError(`The database has migrations this version of Gondola does not know: ${unknown.map(([, n]) => n).join(', ')}.`, {
        metaMessages: ['Upgrade Gondola on this machine to the version the other workers run.'],
      })
    const applied: string[] = []
    for (const m of all) {
      if (done.has(m.id)) continue
      // One transaction for all: a failure leaves the schema exactly as it was.
      await tx.query(m.sql)
      await tx.query('INSERT INTO gondola.migrations (id, name) VALUES ($1, $2)', [m.id, m.name])
      applied.push(m.name)
    }
    return applied
  })
}
