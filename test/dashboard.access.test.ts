import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { guardDashboard } from '../src/dashboard/access.js'

/** The dashboard's door on a real Fastify instance (requests injected), with a clock the test moves. */
function door(o: { ttlMs: number }) {
  let now = 1_000_000
  const app = Fastify()
  guardDashboard(app, { token: 'T0KEN-one-time', port: () => 4321, sessionTtlMs: o.ttlMs, now: () => now })
  app.get('/', async () => 'page')
  app.get('/api/data', async () => ({ ok: true }))
  const get = (url: string, cookie?: string) => app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:4321', ...(cookie ? { cookie } : {}) } })
  return { app, get, advance: (ms: number) => (now += ms) }
}

describe('dashboard access', () => {
  it('a session lasts sessionTtlMs: then the cookie is refused, and the spent token cannot renew it', async () => {
    const { app, get, advance } = door({ ttlMs: 60_000 })
    const exchanged = await get('/?token=T0KEN-one-time')
    expect(exchanged.statusCode).toBe(303)
    const setCookie = String(exchanged.headers['set-cookie'])
    expect(setCookie).toMatch(/^gondola_dashboard_4321=[\w-]{40,}; Path=\/; Max-Age=60; HttpOnly; SameSite=Strict$/)
    const cookie = setCookie.split(';')[0] ?? ''
    expect((await get('/api/data', cookie)).statusCode).toBe(200)
    advance(59_000)
    expect((await get('/api/data', cookie)).statusCode).toBe(200)
    advance(1_000)
    expect((await get('/api/data', cookie)).statusCode).toBe(401)
    expect((await get('/?token=T0KEN-one-time', cookie)).statusCode).toBe(401)
    await app.close()
  })
})
