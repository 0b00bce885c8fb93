import { autopilotStore } from '../autopilot/store.js'
import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { importOptional, resolveOptional } from '../util/optionalDependency.js'
import { join } from 'node:path'
import { ledgerPathIn } from '../agent/ledger.js'
import type { Env } from '../config/env.js'
import type { KeyStore } from '../keys/KeyStore.js'
import type { Wallet } from '../wallet/createWallet.js'
import { statusSourcesOf } from '../host/statusSources.js'
import { collectStatus, DEFAULT_BURN_WINDOW_MS, statusJson } from '../status/index.js'
import { resolveVeniceBaseUrl } from '../runtime/resolveBaseUrl.js'
import { guardDashboard } from './access.js'
import { dashboardData } from './dashboardData.js'
import { dashboardPage } from './page.js'
import { ExitCode } from '../errors/exitCodes.js'
import { publicError } from '../util/publicError.js'

/** Options of `startDashboard`. */
export type StartDashboardOptions = {
  env: Env
  wallet: Wallet
  store: KeyStore
  /** Default 127.0.0.1: the page shows balances and key hints, never on a public interface unless asked. */
  host?: string | undefined
  /** Default 0 (a free port). */
  port?: number | undefined
  /** The one-time token in the page's URL; a random one per start when omitted. */
  token?: string | undefined
  /** How often the state files are checked for changes pushed over SSE (ms, default 1000). */
  pollMs?: number | undefined
  /** Burn-rate window for runway, as in `gondola status --window` (ms, default the status model's 24 h). */
  windowMs?: number | undefined
}

/**
 * `gondola dashboard`: a local page (Fastify, the emulator's server stack; ECharts from its own package, no build
 * step) showing per key balance, burn and runway, per agent spend per day, runs and tool errors, top-ups and
 * transactions from the journal (unfinished ones too), and the autopilot's history — updated live over SSE while
 * agents run. The start's token (`?token=` in the printed URL) is one-time: the first visit exchanges it for an
 * HttpOnly, SameSite=Strict session cookie, and every request needs that cookie (`access.ts`: also the Host check
 * against DNS rebinding, CSP and `Referrer-Policy: no-referrer`).
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
  const stateDir = o.env.GONDOLA_STATE_DIR
  const files = {
    ledger: ledgerPathIn(stateDir),
    runs: join(stateDir, 'runs.jsonl'),
    autopilot: autopilotStore({ stateDir, chainId: o.wallet.chainId, address: o.wallet.address }).historyPath,
  }
  const echartsPath = resolveOptional('echarts/dist/echarts.min.js', 'The dashboard charts')
  // Fastify is an optional peer (the devnet package's emulator has it as its own dependency): the runtime package does not carry it (issue #25).
  const { default: Fastify } = await importOptional<typeof import('fastify')>('fastify', 'The dashboard')
  // SSE streams are held open by the page: closing the server must end them, not wait for them.
  const app = Fastify({ logger: false, forceCloseConnections: true })
  const streams = new Set<import('node:http').ServerResponse>()
  app.addHook('onClose', async () => {
    for (const res of streams) res.end()
  })

  // An error reaches the page only through the one boundary (an RPC outage quotes the provider URL).
  app.setErrorHandler(async (err, _req, reply) => {
    const e = publicError(err)
    return reply.code(e.exitCode === ExitCode.network ? 503 : 500).send({ error: { name: e.name, code: e.code, message: e.message, hint: e.hint } })
  })
  let port = 0
  // One-time token → session cookie, Host check, CSP and the other security headers (access.ts).
  const { nonceOf } = guardDashboard(app, { token, port: () => port })
  app.get('/', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(dashboardPage({ nonce: nonceOf(reply) })),
  )
  app.get('/assets/echarts.min.js', async (_req, reply) =>
    reply
      .type('application/javascript')
      .header('cache-control', 'max-age=3600')
      .send(await readFile(echartsPath)),
  )
  // The status model re-reads the key store on every request: a rotation or a new key made by another process shows.
  const sources = statusSourcesOf(o.env, { wallet: o.wallet, store: o.store, baseURL: resolveVeniceBaseUrl(o.env) })
  const status = () => collectStatus(sources, { now: Date.now(), windowMs: o.windowMs ?? DEFAULT_BURN_WINDOW_MS })
  app.get('/api/status', async () => json(statusJson(await status())))
  app.get('/api/data', async () => {
    const s = await status()
    return json({
      status: statusJson(s),
      ...(await dashboardData({ entries: s.entries, runsPath: files.runs, journalPath: o.wallet.journal.path, autopilotHistoryPath: files.autopilot })),
    })
  })
  app.get('/api/events', (req, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    res.write('event: hello\ndata: {}\n\n')
    let last = ''
    const tick = async () => {
      const sig = (
        await Promise.all(
          [files.ledger, files.runs, files.autopilot, o.wallet.journal.path, o.store.path].map((f) =>
            stat(f).then(
              (s) => `${s.size}:${s.mtimeMs}`,
              () => '-',
            ),
          ),
        )
      ).join('|')
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
  port = (app.server.address() as import('node:net').AddressInfo).port
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
