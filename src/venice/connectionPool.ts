import { createRequire } from 'node:module'
import type { Agent as UndiciAgent, Dispatcher } from 'undici'

/**
 * undici is loaded through Node's own `require` when the first pool is made, not at import time: a user's agent module
 * that imports Gondola through tsx must not load a second copy of undici (its web classes refuse a foreign copy's
 * construction token: "Illegal constructor").
 */
const loadAgent = (): typeof UndiciAgent => (createRequire(import.meta.url)('undici') as { Agent: typeof UndiciAgent }).Agent

/** Options of `createConnectionPool`. */
export type ConnectionPoolOptions = {
  /** Most sockets open to one origin (scheme + host + port) at once; further requests queue. Default 64. */
  connections?: number | undefined
  /** How long an idle socket is kept for reuse (ms). Default 30 s. */
  keepAliveTimeoutMs?: number | undefined
}

/** Default socket cap per origin for a runner: enough to saturate one Venice host, far below fd limits. */
export const DEFAULT_CONNECTIONS = 64

/**
 * A shared keep-alive HTTP dispatcher (undici `Agent`) that opens at most `connections` sockets per
 * origin and queues every other request until a socket is free. Queued requests do not time out
 * while they wait: undici starts the headers/body timeouts only once a request is on a socket, so
 * thousands of agents on one host wait their turn instead of failing with 408s, connection resets or
 * "too many open files" (issue #18 item 3: Node's default agent opened one socket per request in flight).
 *
 * @example
 * ```ts
 * const pool = createConnectionPool({ connections: 64 })
 * const venice = createVeniceClient({ baseURL, apiKey, dispatcher: pool })
 * // …
 * await pool.close()
 * ```
 */
export function createConnectionPool(options: ConnectionPoolOptions = {}): Dispatcher & { close(): Promise<void> } {
  const connections = options.connections ?? DEFAULT_CONNECTIONS
  if (!Number.isInteger(connections) || connections < 1) throw new RangeError(`connections must be a positive integer (got ${connections})`)
  const Agent = loadAgent()
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs ?? 30_000, 30_000),
  })
}
