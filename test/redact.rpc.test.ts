import { createLogger } from '../src/util/logger.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { readEnv } from '../src/config/env.js'
import { startDashboard } from '../src/dashboard/startDashboard.js'
import { createMcpServer } from '../src/mcp/createMcpServer.js'
import { serveMcpHttp } from '../src/mcp/http.js'
import { inSpan } from '../src/telemetry/instruments.js'
import { startTelemetry } from '../src/telemetry/startTelemetry.js'
import { registerUrlSecrets } from '../src/util/redact.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { provision } from '../src/keys/provision.js'
import { cliState } from './helpers/cliState.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const run = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, recordRequests: true })

// An Alchemy-style key in the path and another in the query, as a provider URL carries them.
const PATH_KEY = 'Xk29bQ7mVp41LzR8tW3yN6cHd0JfGa5E'
const QUERY_KEY = 'q7T2wYc9Lm4Rz8Kp3Vx6'

/**
 * An RPC provider in front of the devnet's anvil, at `/v2/<PATH_KEY>?apikey=<QUERY_KEY>`. While `failing`,
 * it answers 401 and echoes the key in its body, as real providers do.
 */
let proxy: Server
let failing = false
let rpcUrl = ''
beforeAll(async () => {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      if (failing || !req.url?.startsWith(`/v2/${PATH_KEY}`)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `Unauthorized: api key ${QUERY_KEY} is over its quota` }))
        return
      }
      const upstream = await fetch(devnet().rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
    })
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  rpcUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v2/${PATH_KEY}?apikey=${QUERY_KEY}`
})
afterAll(async () => {
  await new Promise((r) => proxy.close(r))
})

const leaks = (text: string) => [PATH_KEY, QUERY_KEY].filter((k) => text.includes(k))

describe('credentials in the RPC URL never leave the process', () => {
  it("an RPC failure inside a tool: the model's tool result (what Venice receives) carries neither key", async () => {
    failing = false
    const wallet = await testWallet(devnet(), { eth: parseEther('1'), rpcUrl })
    const store = await KeyStore.open({ path: join(wallet.stateDir, 'keys.json') })
    await provision({ wallet, baseURL: emulator().baseURL, store, agents: ['treasurer'], stakeSvvv: parseEther('2'), diemPerAgent: 0.5 })
    const lines: string[] = []
    const host = createAgentHost({
      wallet,
      store,
      baseURL: emulator().baseURL,
      outboxDir: join(wallet.stateDir, 'outbox'),
      funding: { minRunwayHours: 0.0001, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: false },
      logger: createLogger('warn', (line) => void lines.push(line)),
    })
    const seen = emulator().requests().length
    failing = true
    try {
      const result = await host.run(defineAgent({ name: 'treasurer', tools: ['get_wallet_balances'], maxSteps: 3 }), { prompt: 'Call get_wallet_balances.' })
      const tool = result.messages.find((m) => m.role === 'tool')
      expect(String(tool?.content)).toMatch(/^Error: get_wallet_balances failed: .*\/v2\/\*\*\*\?apikey=\*\*\*/s)
      expect(leaks(JSON.stringify(result))).toEqual([])
    } finally {
      failing = false
      host.close()
    }
    // What reached the model provider: the chat request that carried the tool result.
    const sent = emulator()
      .requests()
      .slice(seen)
      .filter((r) => r.url.endsWith('/chat/completions'))
    expect(sent.some((r) => JSON.stringify(r.body).includes('get_wallet_balances failed'))).toBe(true)
    expect(leaks(JSON.stringify(emulator().requests()))).toEqual([])
    expect(leaks(lines.join('\n'))).toEqual([])
  })

  it('the CLI error line and --json error carry neither key', async () => {
    failing = true
    try {
      const wallet = await testWallet(devnet(), { eth: parseEther('1') })
      const { env } = await cliState(devnet(), emulator().baseURL, { GONDOLA_PRIVATE_KEY: wallet.privateKey, DEVNET_RPC_URL: rpcUrl })
      const outputs: string[] = []
      for (const args of [
        ['wallet', 'balance'],
        ['wallet', 'balance', '--json'],
        ['swap', '--eth', '0.001', '--dry-run'],
      ]) {
        const err = (await run(process.execPath, ['bin/gondola.js', ...args], { env }).catch((e: unknown) => e)) as {
          code: number
          stdout: string
          stderr: string
        }
        expect(err.code, args.join(' ')).toBeGreaterThan(0)
        expect(err.stderr).toMatch(/^gondola: /m)
        outputs.push(err.stdout, err.stderr)
      }
      const all = outputs.join('\n')
      expect(all).toContain('/v2/***')
      expect(leaks(all)).toEqual([])
    } finally {
      failing = false
    }
  }, 300_000)

  it('MCP tool results and resources, the dashboard API, log lines and span events carry neither key', async () => {
    failing = false
    const wallet = await testWallet(devnet(), { eth: parseEther('1'), rpcUrl })
    // What the composition root does with a configured RPC URL (createClients).
    registerUrlSecrets(rpcUrl)
    const store = await KeyStore.open({ path: join(wallet.stateDir, 'keys.json') })
    const surfaces: Record<string, string> = {}
    const lines: string[] = []
    const spans = new InMemorySpanExporter()
    const telemetry = startTelemetry(
      { OTEL_SDK_DISABLED: false, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_METRIC_EXPORT_INTERVAL: 60_000 } as never,
      { extraSpanProcessors: [new SimpleSpanProcessor(spans)] },
    )
    const mcp = await serveMcpHttp({
      createServer: async () => (await createMcpServer({ wallet, store, baseURL: emulator().baseURL, characters: false })).server,
      token: 'redact-token-0123456789abcdefghij',
    })
    const env = readEnv({ GONDOLA_STATE_DIR: wallet.stateDir, VENICE_API_BASE_URL: emulator().baseURL })
    const dash = await startDashboard({ env, wallet, store })
    const client = new Client({ name: 'redact', version: '1' })
    failing = true
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcp.url), { requestInit: { headers: { authorization: 'Bearer redact-token-0123456789abcdefghij' } } }),
      )
      const tool = (await client.callTool({ name: 'get_wallet_balances', arguments: {} })) as CallToolResult
      expect(tool.isError).toBe(true)
      surfaces.mcpTool = JSON.stringify(tool)
      surfaces.mcpStatus = JSON.stringify(await client.readResource({ uri: 'gondola://status' }))
      expect(surfaces.mcpStatus).toMatch(/"ok\\?":false/)
      surfaces.mcpCharacters = await client.readResource({ uri: 'gondola://characters' }).then(
        (r) => JSON.stringify(r),
        (e: unknown) => String(e),
      )

      // The one-time token buys a session cookie; the API answers to the cookie.
      const entered = await fetch(dash.url, { redirect: 'manual' })
      const cookie = (entered.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
      const res = await fetch(`${dash.origin}/api/status`, { headers: { cookie } })
      expect(res.status).toBe(503)
      surfaces.dashboard = await res.text()
      expect(surfaces.dashboard).toMatch(/HTTP request failed/)

      const err = await getBalances(wallet).catch((e: unknown) => e)
      const log = createLogger('debug', (line) => void lines.push(line))
      log.error('balance read failed', { error: err, rpcUrl })
      log.warn(`retrying ${rpcUrl}`)
      surfaces.log = lines.join('\n')
      expect(surfaces.log).toMatch(/HTTP request failed\. http:\/\/127\.0\.0\.1:\d+\/v2\/\*\*\*\?apikey=\*\*\*/)

      await inSpan('probe', {}, () => getBalances(wallet)).catch(() => {})
      const events = spans.getFinishedSpans().flatMap((s) => s.events)
      expect(events.some((e) => e.name === 'exception')).toBe(true)
      surfaces.spans = JSON.stringify(events)
    } finally {
      failing = false
      await client.close().catch(() => {})
      await mcp.close()
      await dash.close()
      await telemetry.shutdown()
    }
    for (const [surface, text] of Object.entries(surfaces)) expect(leaks(text), surface).toEqual([])
  })
})
