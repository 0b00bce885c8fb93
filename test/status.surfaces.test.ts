import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { createSelfFundingFetch } from '../src/adapters/selfFundingFetch.js'
import { defineAgent } from '../src/agent/defineAgent.js'
import { readEnv } from '../src/config/env.js'
import { startDashboard } from '../src/dashboard/startDashboard.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { builtinToolFactories } from '../src/host/hostTools.js'
import { createWalletTopUp } from '../src/host/walletTopUp.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { provision } from '../src/keys/provision.js'
import { createMcpServer } from '../src/mcp/createMcpServer.js'
import { keyFigures, roundFigure } from '../src/status/index.js'
import { startTelemetry } from '../src/telemetry/startTelemetry.js'
import { redact } from '../src/util/redact.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const exec = promisify(execFile)
const devnet = useDevnet()
// A lean pool (~1 Diem a day for this wallet): the account's balance, not only a key's limit, can bind.
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, dailyPoolDiem: 1 })

type Row = { agent: string; keyId: string; spendable: number | null; runwayHours: number | null; state: string }
const figures = (r: Pick<Row, 'spendable' | 'runwayHours'>) => ({ spendable: r.spendable, runwayHours: r.runwayHours })

describe('one status model, six surfaces (issue #25 item 2)', () => {
  it('CLI, the agent’s get_runway, the dashboard API, MCP (tool and resource), the OTel gauge and the self-funding fetch agree to the last digit, through a rotation and a top-up', {
    timeout: 300_000,
  }, async () => {
    const baseURL = emulator().baseURL
    const wallet = await testWallet(devnet(), { eth: parseEther('1') })
    const { stateDir } = wallet
    const keysPath = join(stateDir, 'keys.json')
    const ledgerPath = join(stateDir, 'ledger.jsonl')
    const store = await KeyStore.open({ path: keysPath })
    await provision({
      wallet,
      baseURL,
      store,
      agents: [
        { agent: 'small', diem: 0.5 },
        { agent: 'big', diem: 2 },
      ],
      stakeSvvv: parseEther('5'),
    })
    const admin = createVeniceClient({ baseURL, apiKey: store.reveal(store.keys('ADMIN')[0]!.id) })

    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
    const telemetry = startTelemetry({ OTEL_SDK_DISABLED: false, OTEL_METRIC_EXPORT_INTERVAL: 3_600_000 }, { extraMetricReaders: [reader] })

    // 'small' runs in the agent host (its own tool loop); 'big' is spent by the plain openai SDK through the fetch.
    const funding = { minRunwayHours: 0.000001, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: true }
    const host = createAgentHost({ wallet, store, baseURL, outboxDir: join(stateDir, 'outbox'), state: { ledgerPath }, funding })
    const bigId = store.keys('INFERENCE').find((k) => k.agent === 'big')!.id
    const bigSecret = store.reveal(bigId)
    const funded = createSelfFundingFetch({
      baseURL,
      apiKey: bigSecret,
      agent: 'big',
      ledgerPath,
      funding,
      topUp: createWalletTopUp({ wallet, policy: funding }),
      fetchRateLimits: () => admin.getRateLimits(),
      fetchKeyRecord: async () => (await admin.listApiKeys()).find((k) => k.id === bigId),
    })
    const openai = new OpenAI({ baseURL, apiKey: 'replaced-by-gondola', fetch: funded.fetch, maxRetries: 0 })

    // Long-lived surfaces, started before the rotation, each on its own view of the key store (as separate processes).
    const env = readEnv({ GONDOLA_STATE_DIR: stateDir, VENICE_API_BASE_URL: baseURL })
    const dash = await startDashboard({ env, wallet, store: await KeyStore.open({ path: keysPath }) })
    const { server } = await createMcpServer({ wallet, store: await KeyStore.open({ path: keysPath }), baseURL, ledgerPath, characters: false })
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const mcp = new Client({ name: 'status-test', version: '1' })
    await mcp.connect(clientSide)
    await publishDevnet(stateDir, devnet(), baseURL)
    const cliEnv = {
      ...process.env,
      GONDOLA_STATE_DIR: stateDir,
      GONDOLA_PRIVATE_KEY: wallet.privateKey,
      GONDOLA_KEYSTORE_PASSWORD: '',
      VENICE_API_BASE_URL: baseURL,
    }
    // The one-time token buys a session cookie (the dashboard's access rule); the API answers to the cookie.
    const entered = await fetch(dash.url, { redirect: 'manual' })
    const cookie = (entered.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const dashStatus = async () => (await (await fetch(`${dash.origin}/api/status`, { headers: { cookie } })).json()) as { runways: Row[] }

    try {
      const small = defineAgent({ name: 'small', model: 'qwen3-4b', tools: ['get_runway'], prompt: 'Call get_runway, then report.' })
      const chat = () => openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'Tell me about gondolas.' }] })
      const oldSmall = store.keys('INFERENCE').find((k) => k.agent === 'small')!.id
      expect((await dashStatus()).runways.map((r) => r.keyId)).toContain(oldSmall)

      expect((await host.run(small)).status).toBe('completed')
      await chat()
      // A rotation (the host installs the new key before the old one is revoked) and a top-up on chain.
      expect(await host.runner.key('small')!.rotate('expiring', 'test rotation')).toBe(true)
      const newSmall = store.keys('INFERENCE').find((k) => k.agent === 'small')!.id
      expect(newSmall).not.toBe(oldSmall)
      expect((await funded.funding!.maybeTopUp('test top-up', { force: true })).action).toBe('topped_up')
      expect((await host.run(small)).status).toBe('completed')
      await chat()
      await host.ledger.flush()
      await funded.flush()

      // 1. gondola status --json (a subprocess).
      const cli = JSON.parse((await exec(process.execPath, ['bin/gondola.js', 'status', '--json'], { env: cliEnv })).stdout.trim().split('\n').at(-1)!) as {
        runways: Row[]
        keys: { id: string; agent?: string; currentPeriodUsage: { diem: string } | null; consumptionLimit: { diem: number } }[]
        rateLimits: { balances: { DIEM?: number; USD?: number } }
      }
      const row = (rows: Row[], agent: string) => rows.find((r) => r.agent === agent)!
      expect(cli.runways.map((r) => r.keyId).sort()).toEqual([bigId, newSmall].sort())
      for (const agent of ['small', 'big']) {
        const r = row(cli.runways, agent)
        expect(r.state).toBe('draining')
        // The rule itself: min(what the key's limit leaves this period, the account's balance).
        const k = cli.keys.find((x) => x.id === r.keyId)!
        const account = (cli.rateLimits.balances.DIEM ?? 0) + (cli.rateLimits.balances.USD ?? 0)
        expect(r.spendable).toBe(roundFigure(Math.min(k.consumptionLimit.diem - Number(k.currentPeriodUsage!.diem), account)))
      }
      // The 0.5-Diem key is held by its own limit: never the account's balance.
      expect(row(cli.runways, 'small').spendable).toBeLessThanOrEqual(0.5)

      // 2. The agent's own get_runway tool, as the host builds it for 'small'.
      const tool = builtinToolFactories.get_runway!({ services: host.runner.key('small')! } as never)
      const agentView = (await tool.handler({}, {} as never)) as { spendable: number; runwayHours: number }
      // 3. The dashboard's API (it follows the store: the revoked key is gone, the new one is there).
      const dashboard = await dashStatus()
      expect(dashboard.runways.map((r) => r.keyId).sort()).toEqual([bigId, newSmall].sort())
      // 4. MCP: the get_runway tool and the gondola://status resource.
      const mcpTool = JSON.parse(
        ((await mcp.callTool({ name: 'get_runway', arguments: {} })) as CallToolResult).content.map((c) => (c as { text: string }).text).join(''),
      ) as { runways: Row[] }
      const mcpResource = JSON.parse(((await mcp.readResource({ uri: 'gondola://status' })).contents[0] as { text: string }).text) as {
        venice: { runways: Row[] }
      }
      // 5. The self-funding fetch's monitor, re-read from Venice, in the model's printed figures.
      await funded.refreshStatus()
      const fetchView = keyFigures(funded.monitor.snapshot())
      // 6. The OTel gauge, read at collection from each key's monitor.
      const collected = await reader.collect()
      const gauge = collected.resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((m) => m.descriptor.name === 'gondola.runway.hours')!
      const gaugeOf = (secret: string) => roundFigure(Number(gauge.dataPoints.find((p) => p.attributes['venice.key'] === redact(secret))!.value))

      const smallWant = figures(row(cli.runways, 'small'))
      const bigWant = figures(row(cli.runways, 'big'))
      expect(smallWant.runwayHours).toBeGreaterThan(0)
      expect(figures(agentView)).toEqual(smallWant)
      expect(figures(row(dashboard.runways, 'small'))).toEqual(smallWant)
      expect(figures(row(mcpTool.runways, 'small'))).toEqual(smallWant)
      expect(figures(row(mcpResource.venice.runways, 'small'))).toEqual(smallWant)
      expect(gaugeOf(store.reveal(newSmall))).toBe(smallWant.runwayHours)

      expect(figures(row(dashboard.runways, 'big'))).toEqual(bigWant)
      expect(figures(row(mcpTool.runways, 'big'))).toEqual(bigWant)
      expect(figures(row(mcpResource.venice.runways, 'big'))).toEqual(bigWant)
      expect(figures(fetchView)).toEqual(bigWant)
      expect(gaugeOf(bigSecret)).toBe(bigWant.runwayHours)

      // 7. A new process: a host and a self-funding fetch built afresh on the same ledger and key store (what the
      // next `gondola run` builds) rate the burn from the ledger, not from zero.
      const host2 = createAgentHost({
        wallet,
        store: await KeyStore.open({ path: keysPath }),
        baseURL,
        outboxDir: join(stateDir, 'outbox'),
        state: { ledgerPath },
        funding,
      })
      const funded2 = createSelfFundingFetch({
        baseURL,
        apiKey: bigSecret,
        agent: 'big',
        ledgerPath,
        funding,
        fetchRateLimits: () => admin.getRateLimits(),
        fetchKeyRecord: async () => (await admin.listApiKeys()).find((k) => k.id === bigId),
      })
      try {
        const fresh = builtinToolFactories.get_runway!({ services: host2.runner.key('small')! } as never)
        expect(figures((await fresh.handler({}, {} as never)) as { spendable: number; runwayHours: number })).toEqual(smallWant)
        await funded2.refreshStatus()
        expect(figures(keyFigures(funded2.monitor.snapshot()))).toEqual(bigWant)
      } finally {
        funded2.close()
        host2.close()
      }
    } finally {
      await mcp.close()
      await dash.close()
      funded.close()
      host.close()
      await telemetry.shutdown()
    }
  })
})
