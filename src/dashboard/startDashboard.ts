import { autopilotStore } from '../autopilot/store.js'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { resolveOptional } from '../util/optionalDependency.js'
import { join } from 'node:path'
import Fastify from 'fastify'
import type { Env } from '../config/env.js'
import type { KeyStore } from '../keys/KeyStore.js'
import type { Wallet } from '../wallet/createWallet.js'
import { collectStatus, statusJson } from '../cli/statusData.js'
import { dashboardData } from './dashboardData.js'
import { dashboardPage } from './page.js'

/** Options of `startDashboard`. */
export type StartDashboardOptions = {
  env: Env
  wallet: Wallet
  store: KeyStore
  /** Default 127.0.0.1: the page shows balances and key hints, never on a public interface unless asked. */
  host?: string | undefined
  /** Default 0 (a free port). */
  port?: number | undefined
  /** The token in the page's URL; a random one per start when omitted. */
  token?: string | undefined
  /** How often the state files are checked for changes pushed over SSE (ms, default 1000). */
  pollMs?: number | undefined
  /** Burn-rate window for runway, as in `gondola status --window` (ms, default 24 h). */
  windowMs?: number | undefined
}

/**
 * `gondola dashboard`: a local page (Fastify, the emulator's server stack; ECharts from its own package, no build
 * step) showing per key balance, burn and runway, per agent spend per day, runs and tool errors, top-ups and
 * transactions from the journal (unfinished ones too), and the autopilot's history — updated live over SSE while
 * agents run. Every request needs the start's one-time token (`?token=`); anything else gets 401.
 *
 * @example
 * ```ts
 * const dash = await startDashboard({ env, wallet, store })
 * console.log(dash.url) // http://127.0.0.1:PORT/?token=…
 * await dash.close()
 * ```
 */
export async function startDashboard(o: StartDashboardOptions) {
  const token = o.token ?? randomBytes(24).toString('base64url')
  const expected = Buffer.from(token)
  const stateDir = o.env.GONDOLA_STATE_DIR
  const files = { ledger: join(stateDir, 'ledger.jsonl'), runs: join(stateDir, 'runs.jsonl'), autopilot: autopilotStore({ stateDir, chainId: o.wallet.chainId, address: o.wallet.address }).historyPath }
  const echartsPath = resolveOptional('echarts/dist/echarts.min.js', 'The dashboard charts')
  // SSE streams are held open by the page: closing the server must end them, not wait for them.
  const app = Fastify({ logger: false, forceCloseConnections: true })
  const streams = new Set<import('node:http').ServerResponse>()
  app.addHook('onClose', async () => {
    for (const res of streams) res.end()
  })

  app.addHook('onRequest', async (req, reply) => {
    const given = Buffer.from(String((req.query as { token?: unknown }).token ?? ''))
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).type('text/plain').send('401: open the URL printed by `gondola dashboard` (it carries the token).')
  })
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(dashboardPage(token)))
  app.get('/assets/echarts.min.js', async (_req, reply) => reply.type('application/javascript').header('cache-control', 'max-age=3600').send(await readFile(echartsPath)))
  app.get('/api/status', async () => {
    const s = await collectStatus(o.env, { wallet: o.wallet, store: o.store, now: Date.now(), windowMs: o.windowMs ?? 86_400_000 })
    return json(statusJson(s))
  })
  app.get('/api/data', async () => {
    const s = await collectStatus(o.env, { wallet: o.wallet, store: o.store, now: Date.now(), windowMs: o.windowMs ?? 86_400_000 })
    return json({ status: statusJson(s), ...(await dashboardData({ entries: s.entries, runsPath: files.runs, journalPath: o.wallet.journal.path, autopilotHistoryPath: files.autopilot })) })
  })
  app.get('/api/events', (req, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    res.write('event: hello\ndata: {}\n\n')
    let last = ''
    const tick = async () => {
      const sig = (await Promise.all([files.ledger, files.runs, files.autopilot, o.wallet.journal.path].map((f) => stat(f).then((s) => `${s.size}:${s.mtimeMs}`, () => '-')))).join('|')
      if (last && sig !== last) res.write(`event: update\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`)
      last = sig
    }
    const timer = setInterval(() => void tick(), o.pollMs ?? 1000)
    void tick()
    streams.add(res)
    req.raw.on('close', () => {
      clearInterval(timer)
      streams.delete(res)
    })
  })

  const address = await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 })
  return {
    url: `${address}/?token=${token}`,
    origin: address,
    token,
    close: () => app.close(),
  }
}

/** bigint-safe JSON for replies. */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
}
