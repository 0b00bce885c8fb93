import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { allowedHostnames, assertBindAllowed, refusal } from './frontDoor.js'
import { sessionTable, type SessionLimits } from './sessions.js'

/** Options of `serveMcpHttp`. */
export type ServeMcpHttpOptions = {
  /** Builds one MCP server per session (the SDK binds a server to one transport). */
  createServer: () => Promise<McpServer>
  /** Default 127.0.0.1: the server moves money, so it is never on a public interface unless asked. */
  host?: string | undefined
  /** Listen on a non-loopback `host` (refused otherwise). */
  allowRemote?: boolean | undefined
  /** Default 0 (a free port). */
  port?: number | undefined
  /** The bearer token clients must send; a random 32-byte token when omitted. */
  token?: string | undefined
  /** Idle expiry and cap of live sessions (default 30 min, 64). */
  sessions?: SessionLimits | undefined
}

/** A running MCP HTTP server. */
export type McpHttpServer = {
  /** The URL clients use; for a wildcard bind, the address it listens on (every interface). */
  url: string
  token: string
  server: Server
  /** Live sessions now. */
  sessionCount: () => number
  /** Closes idle sessions now (also done on every new session and once a minute). */
  sweepSessions: () => Promise<number>
  close: () => Promise<void>
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session per `initialize`. In order, a request must: name this
 * server in `Host` and (when sent) `Origin` (403 otherwise: DNS rebinding), carry the bearer token (401), and
 * name a live session or initialize one. Sessions expire when idle and are capped (see `sessionTable`). Uses
 * node:http directly: the SDK's transport takes Node requests, no framework is needed.
 *
 * @throws {McpRemoteBindError} for a non-loopback `host` without `allowRemote`.
 *
 * @example
 * ```ts
 * const http = await serveMcpHttp({ createServer: async () => (await createMcpServer(options)).server })
 * console.error(`MCP at ${http.url} — token ${http.token}`)
 * ```
 */
export async function serveMcpHttp(o: ServeMcpHttpOptions): Promise<McpHttpServer> {
  const bindHost = o.host ?? '127.0.0.1'
  assertBindAllowed(bindHost, o.allowRemote ?? false)
  const token = o.token ?? randomBytes(32).toString('base64url')
  const expected = Buffer.from(`Bearer ${token}`)
  const sessions = sessionTable(o.sessions)
  let allowed = new Set<string>()
  let port = 0

  const authorized = (req: IncomingMessage) => {
    const got = Buffer.from(req.headers.authorization ?? '')
    return got.length === expected.length && timingSafeEqual(got, expected)
  }
  const fail = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    void res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }))

  const http = createServer(async (req, res) => {
    try {
      if (!req.url?.startsWith('/mcp')) return void res.writeHead(404).end()
      const refused = refusal(req, allowed, port)
      if (refused) return fail(res, 403, `Forbidden: ${refused}.`)
      if (!authorized(req))
        return fail(res, 401, 'Unauthorized: send Authorization: Bearer <token printed by gondola mcp --http>.', { 'www-authenticate': 'Bearer' })
      const id = req.headers['mcp-session-id']
      if (typeof id === 'string') {
        const existing = sessions.get(id)
        if (!existing) return fail(res, 404, 'Session not found (expired or closed): initialize a new session.')
        return void (await sessions.use(existing, req.method === 'POST', () => existing.transport.handleRequest(req, res)))
      }
      if (req.method !== 'POST') return fail(res, 400, 'No session: POST initialize first.')
      if (!(await sessions.admit()))
        return fail(res, 503, `Too many live sessions (${sessions.limits.max}, all busy): close one, or retry when one ends.`, { 'retry-after': '5' })
      const server = await o.createServer()
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomBytes(16).toString('hex'),
        onsessioninitialized: (sid) => void sessions.add(sid, { transport, server }),
      })
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId)
      }
      await server.connect(transport)
      await transport.handleRequest(req, res)
      // Not initialized (a bad first request): nothing keeps this server, so close it now.
      if (!transport.sessionId || !sessions.get(transport.sessionId)) await server.close().catch(() => {})
    } catch (err) {
      if (!res.headersSent) fail(res, 500, err instanceof Error ? err.name : 'error')
    }
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(o.port ?? 0, bindHost, () => resolve())
  })
  const bound = http.address() as AddressInfo
  port = bound.port
  allowed = allowedHostnames(bound.address)
  const sweeper = setInterval(() => void sessions.sweep(), Math.min(60_000, sessions.limits.idleMs)).unref()
  const shownHost = bound.address.includes(':') ? `[${bound.address}]` : bound.address
  return {
    url: `http://${shownHost}:${port}/mcp`,
    token,
    server: http,
    sessionCount: () => sessions.size(),
    sweepSessions: () => sessions.sweep(),
    close: async () => {
      clearInterval(sweeper)
      await sessions.closeAll()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
