import { createRequire } from 'node:module'
import type { Agent as UndiciAgent, Dispatcher } from 'undici'

/**
 * undici is loaded through Node's own `require` when the first pool is made, not at import time: a user's agent module
 * that imports Gondola through tsx must not load a second copy of undici (its web classes refuse a foreign copy's
 * construction token: "Illegal constructor").
 */
const loadAgent = (): typeof UndiciAgent => (createRequire(import.meta.url)('undici') as { Agent: typeof UndiciAgent }).Agent

/** Where Node's built-in undici keeps its global dispatcher (an `Agent` unless the user installed another). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')

/**
 * The `Agent` class of the undici that Node's own `fetch` runs on, or undefined where it cannot be reached.
 * Node does not export it, but its default global dispatcher is an instance. A pool of that class costs Node's
 * `fetch` measurably less per request than one from the npm copy (issue #18: the bare `openai` loop on Node's
 * default dispatcher, 1,227 µs of client CPU per step, against 1,332 µs on an npm `undici` Agent; per-process
 * medians over 6 rounds). When the user has installed another global dispatcher (a proxy agent, say), it is
 * left alone and the npm `Agent` is used.
 */
function nodeFetchAgent(): typeof UndiciAgent | undefined {
  // Node loads its undici, and installs the default Agent, on the first `fetch` call; a data: URL touches no network.
  if (!(GLOBAL_DISPATCHER in globalThis) && typeof globalThis.fetch === 'function') void globalThis.fetch('data:,').catch(() => undefined)
  const ctor = ((globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as { constructor?: unknown } | undefined)?.constructor
  return typeof ctor === 'function' && ctor.name === 'Agent' ? (ctor as typeof UndiciAgent) : undefined
}

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
  const Agent = nodeFetchAgent() ?? loadAgent()
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs ?? 30_000, 30_000),
  })
}
