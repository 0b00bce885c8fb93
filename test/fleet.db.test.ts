import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatabaseError, SchemaTooNewError, listMigrations, migrate, openDatabase } from '../src/fleet/index.js'
import { readEnv } from '../src/config/env.js'
import { redactText } from '../src/util/redact.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

const run = promisify(execFile)
let pg: TestPostgres

beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(async () => {
  await pg?.stop()
})

describe('fleet database (real Postgres)', () => {
  it('two processes migrating at once apply each migration exactly once', async () => {
    const url = await pg.createDatabase()
    const child = () => run('npx', ['tsx', 'test/fixtures/migrateOnce.ts', url], { encoding: 'utf8' })
    const [a, b] = await Promise.all([child(), child()])
    const applied = [JSON.parse(a.stdout) as string[], JSON.parse(b.stdout) as string[]]
    const names = (await listMigrations()).map((m) => m.name)
    // One did everything, the other waited on the advisory lock and found nothing to do.
    expect(applied.flat().sort()).toEqual([...names].sort())
    expect(applied.some((x) => x.length === 0)).toBe(true)
    const db = await openDatabase({ url })
    const rows = await db.query<{ name: string }>('SELECT name FROM gondola.migrations ORDER BY id')
    expect(rows.map((r) => r.name)).toEqual(names)
    expect(await migrate(db)).toEqual([])
    await db.close()
  })

  it('refuses a schema newer than this version', async () => {
    const url = await pg.createDatabase()
    const db = await openDatabase({ url })
    await migrate(db)
    await db.query("INSERT INTO gondola.migrations (id, name) VALUES (999, '999_from_the_future')")
    await expect(migrate(db)).rejects.toBeInstanceOf(SchemaTooNewError)
    await expect(migrate(db)).rejects.toThrow(/999_from_the_future/)
    await db.close()
  })

  it('rolls a transaction back on a throw and counts round trips', async () => {
    const url = await pg.createDatabase()
    const db = await openDatabase({ url })
    await db.query('CREATE TABLE t (v int)')
    const before = db.roundTrips()
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)')
        throw new Error('caller failed')
      }),
    ).rejects.toThrow('caller failed')
    expect(await db.query('SELECT * FROM t')).toEqual([])
    // BEGIN, INSERT, ROLLBACK, then the SELECT.
    expect(db.roundTrips() - before).toBe(4)
    await db.close()
  })

  it('never shows the password: a refused login names the redacted URL', async () => {
    const bad = pg.url.replace('gondola-test-pw', 'wrong-secret-pw')
    const err = await openDatabase({ url: bad }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DatabaseError)
    const text = String((err as Error).message)
    expect(text).toContain('GONDOLA_DATABASE_URL')
    expect(text).toMatch(/^Connecting failed on /)
    expect(text).not.toContain('wrong-secret-pw')
    expect(text).toMatch(/postgres:\/\/\*\*\*@127\.0\.0\.1/)
  })

  it('registers the password as a secret, not the user name', async () => {
    const db = await openDatabase({ url: pg.url })
    await db.close()
    // The password is scrubbed even outside a URL; the common user name `postgres` is not blanked out of text.
    expect(redactText('login gondola-test-pw refused')).toBe('login *** refused')
    expect(redactText(`failed on ${pg.url}`)).toMatch(/^failed on postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/postgres$/)
  })

  it('reconnects after Postgres restarts', async () => {
    const url = await pg.createDatabase()
    const db = await openDatabase({ url })
    expect(await db.query<{ v: number }>('SELECT 1 AS v')).toEqual([{ v: 1 }])
    await pg.stopServer()
    await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseError)
    await pg.startServer()
    expect(await db.query<{ v: number }>('SELECT 2 AS v')).toEqual([{ v: 2 }])
    await db.close()
  })

  it('GONDOLA_DATABASE_URL must be a postgres URL', () => {
    expect(() => readEnv({ GONDOLA_DATABASE_URL: 'mysql://x@y/z' })).toThrow(/GONDOLA_DATABASE_URL/)
    expect(readEnv({ GONDOLA_DATABASE_URL: 'postgres://u:p@h:5432/d' }).GONDOLA_DATABASE_URL).toBe('postgres://u:p@h:5432/d')
    expect(readEnv({}).GONDOLA_DATABASE_URL).toBeUndefined()
  })
})
