import { randomBytes, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** What `guardDashboard` needs: the start's one-time token and the port the page is served on. */
export type DashboardAccessOptions = {
  token: string
  port: () => number
  /** How long a session lasts after the token was exchanged (ms, default 12 h); then the page needs a new link. */
  sessionTtlMs?: number | undefined
  /** The clock (tests). */
  now?: (() => number) | undefined
}

/**
 * The dashboard's door, as Fastify hooks on every request:
 * - **Host** must name this machine by IP literal or `localhost`, on the served port; anything else (a DNS name
 *   pointed at 127.0.0.1, i.e. DNS rebinding) gets 421.
 * - The **URL token is one-time**: the first `/?token=…` is exchanged for a session cookie (`HttpOnly`,
 *   `SameSite=Strict`, named after the port so two dashboards do not collide) and redirected to `/`; the token is
 *   then spent, so the same URL in another browser (context) gets 401. Every other request needs the cookie, which
 *   expires after `sessionTtlMs` (12 h).
 * - Every answer carries a **CSP** (scripts and styles only from the server or with the page's nonce; no frames,
 *   forms or foreign connections), `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff`, and
 *   `Cache-Control: no-store` unless the route set its own.
 *
 * Returns `nonceOf(reply)`: the nonce the page's inline `<style>` and `<script>` must carry for this response.
 *
 * @example
 * ```ts
 * const { nonceOf } = guardDashboard(app, { token, port: () => port })
 * app.get('/', (_req, reply) => reply.type('text/html').send(dashboardPage({ nonce: nonceOf(reply) })))
 * ```
 */
export function guardDashboard(app: FastifyInstance, o: DashboardAccessOptions) {
  const expected = Buffer.from(o.token)
  let spent = false
  const sessions = new Map<string, number>() // id → expires at
  const now = o.now ?? Date.now
  const ttlMs = o.sessionTtlMs ?? 12 * 3_600_000
  const nonces = new WeakMap<FastifyReply, string>()
  const cookieName = () => `gondola_dashboard_${o.port()}`

  app.addHook('onRequest', async (req, reply) => {
    const nonce = randomBytes(16).toString('base64')
    nonces.set(reply, nonce)
    // Raw headers: they reach hijacked replies (the SSE stream) too.
    for (const [name, value] of Object.entries(securityHeaders(nonce))) reply.raw.setHeader(name, value)
    if (!hostAllowed(req.headers.host, o.port()))
      return reply.code(421).type('text/plain').send('421: this dashboard answers only to 127.0.0.1, [::1] or localhost.')
    const session = cookieOf(req, cookieName())
    const expiresAt = session === undefined ? undefined : sessions.get(session)
    if (session !== undefined && expiresAt !== undefined && expiresAt <= now()) sessions.delete(session)
    const hasSession = expiresAt !== undefined && expiresAt > now()
    const token = (req.query as { token?: unknown }).token
    if (typeof token === 'string' && req.routeOptions.url === '/') {
      if (hasSession) return reply.redirect('/', 303) // already in: drop the token from the address bar
      if (spent || !matches(token, expected)) return denied(reply, spent)
      spent = true
      const id = randomBytes(32).toString('base64url')
      sessions.set(id, now() + ttlMs)
      reply.raw.setHeader('set-cookie', `${cookieName()}=${id}; Path=/; Max-Age=${Math.floor(ttlMs / 1000)}; HttpOnly; SameSite=Strict`)
      return reply.redirect('/', 303)
    }
    if (!hasSession) return denied(reply, spent)
  })
  return { nonceOf: (reply: FastifyReply) => nonces.get(reply) ?? '' }
}

/** The headers every answer carries; `nonce` admits the page's own inline style and script. */
export function securityHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'self' 'nonce-${nonce}'`,
      `style-src 'self' 'nonce-${nonce}'`,
      // ECharts' SVG renderer sets style attributes on its nodes; attributes cannot run script.
      "style-src-attr 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  }
}

/**
 * Whether a Host header names this machine directly: an IP literal (a rebinding attack needs a DNS name) or
 * `localhost`, with the served port.
 *
 * @example
 * ```ts
 * hostAllowed('127.0.0.1:8080', 8080)   // true
 * hostAllowed('evil.example:8080', 8080) // false
 * ```
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(host)
  // A browser leaves out the port when it is http's default.
  if (!m || Number(m[2] ?? 80) !== port) return false
  const name = (m[1] ?? '').replace(/^\[|\]$/g, '').toLowerCase()
  return name === 'localhost' || isIP(name) !== 0
}

function denied(reply: FastifyReply, spent: boolean) {
  const why = spent
    ? 'the one-time link was already used; run `gondola dashboard` again for a new one'
    : 'open the URL printed by `gondola dashboard` (it carries a one-time token)'
  return reply.code(401).type('text/plain').send(`401: ${why}.`)
}

function matches(given: string, expected: Buffer): boolean {
  const g = Buffer.from(given)
  return g.length === expected.length && timingSafeEqual(g, expected)
}

function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim()
  }
  return undefined
}
