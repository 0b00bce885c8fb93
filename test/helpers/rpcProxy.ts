import { createServer, request, type Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * A JSON-RPC proxy in front of the devnet that can be cut like a dropped network: `cut()` destroys every open
 * connection and stops listening (ECONNREFUSED from then on); `restore()` listens again on the same port.
 * `cutOn` cuts the moment a request with that JSON-RPC method arrives, before forwarding it (e.g. the broadcast).
 * The URL carries provider-style credentials in its path and query, which must never surface anywhere.
 *
 * @example
 * ```ts
 * const proxy = await rpcProxy(devnet().rpcUrl, { cutOn: 'eth_sendRawTransaction' })
 * const w = await testWallet(devnet(), { rpcUrl: proxy.url })
 * ```
 */
export async function rpcProxy(target: string, o: { cutOn?: string } = {}) {
  const sockets = new Set<Socket>()
  let server: Server
  let port = 0
  let cutOn = o.cutOn
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          const body = Buffer.concat(chunks)
          if (cutOn && body.toString().includes(`"${cutOn}"`)) {
            cutOn = undefined
            void cut()
            return
          }
          const up = request(target, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
            res.writeHead(r.statusCode ?? 502, { 'content-type': 'application/json' })
            r.pipe(res)
          })
          up.on('error', () => res.destroy())
          up.end(body)
        })
      })
      server.on('connection', (s) => {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port
        resolve()
      })
    })
  const cut = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()))
    for (const s of sockets) s.destroy()
    await closed
  }
  await listen()
  return {
    get url() {
      return `http://127.0.0.1:${port}/v2/SECRETPROVIDERKEY0123456789abcdef?apikey=SECRETQUERYKEY42`
    },
    cut,
    restore: listen,
    stop: cut,
  }
}
