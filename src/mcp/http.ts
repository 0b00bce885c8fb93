import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

/** Options of `serveMcpHttp`. */
export type ServeMcpHttpOptions = {
  /** Builds one MCP server per session (the SDK binds a server to one transport). */
  createServer: () => Promise<McpServer>
  /** Default 127.0.0.1: the server moves money, so it is never on a public interface unless asked. */
  host?: string | undefined
  /** Default 0 (a free port). */
  port?: number | undefined
  /** The bearer token clients must send; a random 32-byte token when omitted. */
  token?: string | undefined
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session per `initialize`, behind a bearer token (401
 * otherwise). Uses node:http directly: the SDK's transport takes Node requests, no framework is needed.
 *
 * @example
 * ```ts
 * const http = await serveMcpHttp({ createServer: async () => (await createMcpServer(options)).server })
 * console.error(`MCP at ${http.url} — token ${http.token}`)
 * ```
 */
export async function serveMcpHttp(o: ServeMcpHttpOptions): Promise<{ url: string; token: string; server: Server; close: () => Promise<void> }> {
  const token = o.token ?? randomBytes(32).toString('base64url')
  const expected = Buffer.from(`Bearer ${token}`)
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>()

  const authorized = (req: IncomingMessage) => {
    const got = Buffer.from(req.headers.authorization ?? '')
    return got.length === expected.length && timingSafeEqual(got, expected)
  }

  const http = createServer(async (req, res) => {
    try {
      if (!req.url?.startsWith('/mcp')) return void res.writeHead(404).end()
      if (!authorized(req)) return void res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <token printed by gondola mcp --http>' }))
      const id = req.headers['mcp-session-id']
      const existing = typeof id === 'string' ? sessions.get(id) : undefined
      if (existing) return void (await existing.transport.handleRequest(req, res))
      if (req.method !== 'POST') return void res.writeHead(400).end('No session: POST initialize first.')
      const server = await o.createServer()
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomBytes(16).toString('hex'),
        onsessioninitialized: (sid) => void sessions.set(sid, { transport, server }),
      })
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId)
      }
      await server.connect(transport)
      await transport.handleRequest(req, res)
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err instanceof Error ? err.name : 'error' }))
    }
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve())
  })
  const { address, port } = http.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}/mcp`,
    token,
    server: http,
    close: async () => {
      for (const s of sessions.values()) await s.server.close().catch(() => {})
      sessions.clear()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
