import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type CountingProxy = {
  /** URL to give a client instead of the target. */
  url: string
  /** HTTP requests forwarded so far (a JSON-RPC batch is one request). */
  readonly requests: number
  /** JSON-RPC methods seen, in order (batches flattened). */
  readonly methods: string[]
  reset(): void
  close(): Promise<void>
}

/**
 * A local HTTP proxy in front of a JSON-RPC endpoint that counts the HTTP requests going through
 * it: the honest way to measure "one request per balance snapshot".
 *
 * @example
 * ```ts
 * const proxy = await startCountingProxy(devnet.rpcUrl)
 * const client = createPublicClient({ transport: http(proxy.url) })
 * await getBalances(wallet); proxy.requests // 1
 * ```
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  let requests = 0
  const methods: string[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests++
      const body = Buffer.concat(chunks).toString('utf8')
      try {
        const parsed = JSON.parse(body) as { method?: string } | { method?: string }[]
        for (const m of Array.isArray(parsed) ? parsed : [parsed]) methods.push(String(m.method))
      } catch {
        methods.push('?')
      }
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' })
          res.end(await r.text())
        })
        .catch((err: Error) => {
          res.writeHead(502)
          res.end(err.message)
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    get methods() {
      return methods
    },
    reset() {
      requests = 0
      methods.length = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
