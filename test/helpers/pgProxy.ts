import { createServer, connect, type Server, type Socket } from 'node:net'

/** What a `pgProxy` hook sees: one chunk a client sent, as text (SQL of Parse/Query messages is readable in it). */
export type ProxyChunk = { text: string; connection: number }

export type PgProxy = {
  /** The port to put in the clients' URL instead of the server's. */
  readonly port: number
  /** Rewrites `url` (pointing at the server) to go through this proxy. */
  urlOf(url: string): string
  /**
   * Holds the next chunk matching `test` until `action` has run, then forwards it (to a server that may be gone
   * by then). Resolves when it has fired. One-shot.
   */
  onceBefore(test: (chunk: ProxyChunk) => boolean, action: () => Promise<void>): Promise<void>
  /** Counts of chunks seen that matched `test` so far. */
  count(test: (chunk: ProxyChunk) => boolean): number
  close(): Promise<void>
}

/**
 * A TCP proxy in front of Postgres that can stop the world at an exact statement: tests aim a server stop or a
 * process kill at "the moment `complete` is sent". Plain TCP, no protocol rewriting (clients use no TLS locally).
 *
 * @example
 * ```ts
 * const proxy = await pgProxy(pg.port)
 * const url = proxy.urlOf(await pg.createDatabase())
 * const fired = proxy.onceBefore((c) => c.text.includes("state = 'completed'"), () => pg.killServer('SIGQUIT'))
 * ```
 */
export async function pgProxy(serverPort: number): Promise<PgProxy> {
  const hooks: Array<{ test: (c: ProxyChunk) => boolean; action: () => Promise<void>; fired: () => void }> = []
  const seen: ProxyChunk[] = []
  const sockets = new Set<Socket>()
  let n = 0
  const server: Server = createServer((client) => {
    const connection = ++n
    const upstream = connect(serverPort, '127.0.0.1')
    sockets.add(client).add(upstream)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    upstream.on('data', (d: Buffer) => client.write(d))
    // Chunks are forwarded in order: a held chunk holds those after it on this connection.
    let queue = Promise.resolve()
    client.on('data', (d: Buffer) => {
      const chunk = { text: d.toString('latin1'), connection }
      seen.push(chunk)
      queue = queue.then(async () => {
        const i = hooks.findIndex((h) => h.test(chunk))
        if (i >= 0) {
          const [hook] = hooks.splice(i, 1)
          await hook!.action()
          hook!.fired()
        }
        if (!upstream.destroyed) upstream.write(d)
      })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  return {
    port,
    urlOf: (url) => url.replace(`:${serverPort}/`, `:${port}/`),
    onceBefore: (test, action) => new Promise<void>((fired) => hooks.push({ test, action, fired })),
    count: (test) => seen.filter(test).length,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
