/**
 * One pool per database URL in this process, migrated once, for code that is handed only the environment
 * (`openWallet(env)`, the CLI's key store): fleet mode reaches every command without each opening its own
 * pool. The pool lets the process exit while idle (one-shot commands end as before).
 */
import { migrate } from '../db/migrate.js'
import { openDatabase, type Database } from '../db/openDatabase.js'

const pools = new Map<string, Promise<Database>>()

/**
 * @example
 * ```ts
 * const db = await databaseFor(env.GONDOLA_DATABASE_URL!)
 * ```
 */
export function databaseFor(url: string): Promise<Database> {
  let pool = pools.get(url)
  if (!pool) {
    pool = openDatabase({ url, allowExitOnIdle: true }).then(async (db) => {
      await migrate(db)
      return db
    })
    pool.catch(() => pools.delete(url)) // a failed open is retried by the next caller
    pools.set(url, pool)
  }
  return pool
}
