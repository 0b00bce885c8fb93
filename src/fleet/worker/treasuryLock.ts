import type pg from 'pg'
import { loadPg } from '../db/driver.js'
import type { Database } from '../db/openDatabase.js'
import { sleep } from '../../util/sleep.js'

/**
 * One treasury per wallet, across machines: a Postgres session advisory lock on a connection of its own, held
 * as long as the treasury runs. A second treasury started by mistake waits for it (and says so once); if the
 * holder dies, its connection closes, the lock is released and the waiting one takes over.
 *
 * If the lock's connection drops (Postgres restarted), the lock is gone: `onLost` is called so the treasury stops
 * signing, and `acquire` may be called again.
 *
 * @example
 * ```ts
 * const lock = treasuryLock(db, wallet.address, { onWait: (m) => process.stderr.write(m), onLost: pause })
 * await lock.acquire(signal)
 * ```
 */
export function treasuryLock(db: Database, wallet: string, o: { onWait?: (message: string) => void; onLost?: () => void; pollMs?: number }) {
  let client: pg.Client | undefined
  const key = `gondola-treasury:${wallet.toLowerCase()}`
  const connect = async () => {
    // The pool's options are pg's; a plain client with the same connection string holds the session.
    const c = new (await loadPg()).Client({
      connectionString: (db.pool as unknown as { options: { connectionString: string } }).options.connectionString,
      application_name: 'gondola-treasury-lock',
    })
    c.on('error', () => {})
    await c.connect()
    c.once('end', () => {
      if (client === c) {
        client = undefined
        o.onLost?.()
      }
    })
    return c
  }
  return {
    /** Resolves once this process holds the wallet's treasury lock (or rejects when `signal` aborts). */
    async acquire(signal?: AbortSignal): Promise<void> {
      let said = false
      for (;;) {
        signal?.throwIfAborted()
        try {
          const c = client ?? (await connect())
          client = c
          const [row] = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key])).rows
          if (row?.ok) return
          if (!said) o.onWait?.(`another treasury holds wallet ${wallet}; this one waits and takes over if it stops.`)
          said = true
        } catch {
          const c = client
          client = undefined
          await c?.end().catch(() => {})
        }
        await sleep(o.pollMs ?? 1000)
      }
    },
    /** Whether the lock's connection is still up (so the lock is still held). */
    held: () => client !== undefined,
    async release(): Promise<void> {
      const c = client
      client = undefined
      await c?.end().catch(() => {})
    },
  }
}
