import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'

/** One live MCP session over HTTP. */
export type Session = { transport: StreamableHTTPServerTransport; server: McpServer; lastUsed: number; inFlight: number }

/** How long and how many sessions live. */
export type SessionLimits = {
  /** A session with no request for this long is closed (default 30 min). */
  idleMs?: number | undefined
  /** Live sessions at most (default 64); a new one evicts the least recently used idle session, or is refused. */
  max?: number | undefined
  now?: (() => number) | undefined
}

/**
 * The live sessions of one HTTP server, bounded: idle ones are closed after `idleMs`, and at most `max` live at
 * once. Over the cap, the least recently used session with no request in flight is closed to make room; when every
 * session is busy, `admit` says no and the caller refuses the new one.
 *
 * Hand-written: a Map with timestamps; an LRU library would not know which sessions have requests in flight.
 *
 * @example
 * ```ts
 * const table = sessionTable({ idleMs: 60_000, max: 8 })
 * if (!(await table.admit())) refuse()
 * table.add(id, { transport, server })
 * ```
 */
export function sessionTable(limits: SessionLimits = {}) {
  const idleMs = limits.idleMs ?? 30 * 60_000
  const max = limits.max ?? 64
  const now = limits.now ?? Date.now
  const sessions = new Map<string, Session>()

  const close = async (id: string) => {
    const s = sessions.get(id)
    if (!s) return
    sessions.delete(id)
    await s.server.close().catch(() => {})
  }

  const table = {
    get: (id: string) => sessions.get(id),
    size: () => sessions.size,
    add(id: string, s: Pick<Session, 'transport' | 'server'>) {
      sessions.set(id, { ...s, lastUsed: now(), inFlight: 0 })
    },
    delete(id: string) {
      sessions.delete(id)
    },
    /**
     * Runs one request of a session. A POST (a call, or the answer to the server's question) keeps the session busy
     * (never evicted) until it ends; a GET is the client's listening stream, open for as long as the session lives,
     * so it does not count as activity.
     */
    async use<T>(s: Session, busy: boolean, fn: () => Promise<T>): Promise<T> {
      s.lastUsed = now()
      if (!busy) return fn()
      s.inFlight++
      try {
        return await fn()
      } finally {
        s.inFlight--
        s.lastUsed = now()
      }
    },
    /** Closes the sessions idle for `idleMs` or more. Returns how many were closed. */
    async sweep(): Promise<number> {
      const stale = [...sessions].filter(([, s]) => s.inFlight === 0 && now() - s.lastUsed >= idleMs).map(([id]) => id)
      for (const id of stale) await close(id)
      return stale.length
    },
    /** Makes room for one more session: sweeps, then evicts the least recently used idle one at the cap. */
    async admit(): Promise<boolean> {
      await table.sweep()
      if (sessions.size < max) return true
      const idle = [...sessions].filter(([, s]) => s.inFlight === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed)[0]
      if (!idle) return false
      await close(idle[0])
      return true
    },
    async closeAll() {
      for (const id of [...sessions.keys()]) await close(id)
    },
    limits: { idleMs, max },
  }
  return table
}
