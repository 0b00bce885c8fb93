import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A real OTLP/HTTP receiver on a free port: collects every POST (`/v1/traces`, `/v1/metrics`) with its body
 * (the exporters send JSON) and answers 200.
 *
 * @example
 * ```ts
 * const collector = await otlpReceiver()
 * // OTEL_EXPORTER_OTLP_ENDPOINT=collector.endpoint …
 * collector.bodies('/v1/traces') // what arrived
 * await collector.close()
 * ```
 */
export async function otlpReceiver() {
  const received: { path: string; body: string }[] = []
  const server = createHttpServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      received.push({ path: req.url ?? '', body })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    bodies: (path: string) => received.filter((r) => r.path === path).map((r) => r.body),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/**
 * A collector that accepts connections and never answers (a hung proxy or a stopped process behind a live port).
 * `sockets` counts connections; `open` those the client has not closed yet.
 */
export async function hangingCollector() {
  const sockets = new Set<Socket>()
  let connections = 0
  const server = createTcpServer((s) => {
    connections++
    sockets.add(s)
    s.on('data', () => {}) // read, never answer
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    open: () => sockets.size,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/** A port nothing listens on (bound, then released): connections to it are refused. */
export async function unreachablePort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}
