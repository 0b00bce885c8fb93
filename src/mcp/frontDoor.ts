import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import type { IncomingMessage } from 'node:http'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'

/** `--host` names an address that is not loopback, and remote access was not asked for. Nothing was started. */
export class McpRemoteBindError extends BaseError {
  override name = 'McpRemoteBindError' as const
  override exitCode = ExitCode.usage
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1']

/**
 * Whether a bind address only listens on this machine (`127.0.0.0/8`, `::1`, `localhost`).
 *
 * @example
 * ```ts
 * isLoopback('127.0.0.1') // true
 * isLoopback('0.0.0.0') // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'))
}

/**
 * Refuses a non-loopback bind address unless `allowRemote` is set: the server moves money, and a bearer token sent
 * in clear over a network is one sniff away.
 *
 * @throws {McpRemoteBindError}
 *
 * @example
 * ```ts
 * assertBindAllowed('0.0.0.0', false) // throws: pass --allow-remote to listen beyond this machine
 * ```
 */
export function assertBindAllowed(host: string, allowRemote: boolean): void {
  if (isLoopback(host) || allowRemote) return
  throw new McpRemoteBindError(`--host ${host} would serve MCP beyond this machine; refused.`, {
    metaMessages: ['Keep the default 127.0.0.1 (use an SSH tunnel), or pass --allow-remote to listen there on purpose (put TLS in front of it).'],
    code: 'MCP_REMOTE_BIND',
  })
}

/**
 * The host names a request may carry in `Host` (and its `Origin`), port-agnostic: loopback names, the bound address,
 * and for a wildcard bind (`0.0.0.0`, `::`) every address of this machine's interfaces and its host name.
 *
 * @example
 * ```ts
 * allowedHostnames('127.0.0.1') // Set { 'localhost', '127.0.0.1', '[::1]', '::1' }
 * ```
 */
export function allowedHostnames(boundAddress: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES)
  const add = (a: string) => {
    names.add(a.toLowerCase())
    if (a.includes(':')) names.add(`[${a.toLowerCase()}]`)
  }
  add(boundAddress)
  if (boundAddress === '0.0.0.0' || boundAddress === '::') {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) add(i.address)
    add(hostname())
  }
  return names
}

/**
 * DNS-rebinding defence for Streamable HTTP (the MCP spec: servers MUST validate `Origin`): the `Host` header must
 * name this server, and an `Origin`, when sent (browsers send it), must be this server's own origin. Returns why a
 * request is refused, or undefined.
 *
 * Hand-written: the SDK's `hostHeaderValidation` is Express middleware, and its transport option runs only after a
 * session (and a server) was built for the request; this runs first, before the token is even compared.
 *
 * @example
 * ```ts
 * refusal(req, allowedHostnames('127.0.0.1'), 8123) // 'Origin http://evil.example is not this server'
 * ```
 */
export function refusal(req: IncomingMessage, allowed: Set<string>, port: number): string | undefined {
  const host = req.headers.host
  if (!host) return 'a Host header is required'
  const hostname = hostnameOf(`http://${host}`)
  if (!hostname || !allowed.has(hostname)) return `Host ${JSON.stringify(host)} is not this server`
  const origin = req.headers.origin
  if (origin === undefined) return undefined // not a browser (SDK clients, curl): nothing to check
  let u: URL | undefined
  try {
    u = new URL(origin)
  } catch {
    u = undefined
  }
  const originPort = u ? Number(u.port || (u.protocol === 'https:' ? 443 : 80)) : NaN
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !allowed.has(u.hostname.toLowerCase()) || originPort !== port)
    return `Origin ${JSON.stringify(origin)} is not this server`
  return undefined
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return undefined
  }
}
