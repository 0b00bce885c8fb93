import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { startTelemetry } from '../src/telemetry/startTelemetry.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
// A daily pool so small that the first call leaves the key dry: the second call's 402 runs an on-chain top-up.
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, dailyPoolDiem: 0.00001 })

const treasurer = defineAgent({ name: 'treasurer', model: 'qwen3-4b', tools: ['get_wallet_balances', 'get_runway'], prompt: 'Call get_wallet_balances, then get_runway, and report.' })
const off = { OTEL_SDK_DISABLED: false, OTEL_METRIC_EXPORT_INTERVAL: 60_000 } as const

async function runTreasurer() {
  const world = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
  const host = createAgentHost({
    wallet: world.wallet, store: world.store, baseURL: emulator().baseURL, outboxDir: join(world.stateDir, 'outbox'),
    funding: { minRunwayHours: 0.001, cooldownMs: 60_000, ethPerTopUp: parseEther('0.01'), mintDiem: true },
  })
  const result = await host.run(treasurer)
  host.close()
  return { ...world, result }
}

const attr = (s: ReadableSpan, k: string) => s.attributes[k]

describe('OpenTelemetry', () => {
  it('is off by default: no provider, no spans', () => {
    expect(startTelemetry(off).enabled).toBe(false)
    expect(startTelemetry({ ...off, OTEL_SDK_DISABLED: true, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }).enabled).toBe(false)
  })

  it('records runs, model calls (GenAI conventions + Venice cost), tools, transactions and key mints; metrics; no secret', async () => {
    const spans = new InMemorySpanExporter()
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
    const telemetry = startTelemetry(off, { extraSpanProcessors: [new SimpleSpanProcessor(spans)], extraMetricReaders: [reader] })
    expect(telemetry.enabled).toBe(true)
    try {
      const { result, store, wallet } = await runTreasurer()
      expect(result.status).toBe('completed')
      const all = spans.getFinishedSpans()
      const run = all.find((s) => s.name === 'invoke_agent treasurer')!
      expect(run).toBeDefined()
      expect(attr(run, 'gen_ai.operation.name')).toBe('invoke_agent')
      expect(attr(run, 'gen_ai.agent.name')).toBe('treasurer')
      expect(attr(run, 'gondola.run.steps')).toBe(result.steps)

      const chats = all.filter((s) => attr(s, 'gen_ai.operation.name') === 'chat')
      expect(chats).toHaveLength(result.steps)
      for (const c of chats) {
        expect(c.parentSpanContext?.spanId).toBe(run.spanContext().spanId)
        expect(attr(c, 'gen_ai.request.model')).toBe('qwen3-4b')
        expect(attr(c, 'gen_ai.provider.name')).toBe('venice')
        expect(attr(c, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0)
        expect(attr(c, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0)
        expect(attr(c, 'gen_ai.response.finish_reasons')).toEqual([expect.any(String)])
        expect(Number(attr(c, 'venice.cost.diem')) + Number(attr(c, 'venice.cost.usd'))).toBeGreaterThan(0)
      }
      const costInSpans = chats.reduce((s, c) => s + Number(attr(c, 'venice.cost.diem')) + Number(attr(c, 'venice.cost.usd')), 0)
      expect(costInSpans).toBeCloseTo(result.costDiem + result.costUsd, 9)

      const tools = all.filter((s) => attr(s, 'gen_ai.operation.name') === 'execute_tool').map((s) => attr(s, 'gen_ai.tool.name'))
      expect(tools).toEqual(expect.arrayContaining(['get_wallet_balances', 'get_runway']))

      // provision (swap, approve, stake) and the mid-run top-up (swap, approve, stake, mint, approve, stake DIEM).
      const txs = all.filter((s) => s.name.startsWith('wallet.tx '))
      expect(txs.length).toBeGreaterThanOrEqual(6)
      for (const t of txs) {
        expect(attr(t, 'wallet.tx.hash')).toMatch(/^0x[0-9a-f]{64}$/)
        expect(attr(t, 'wallet.tx.gas_used')).toBeGreaterThan(0)
        expect(attr(t, 'wallet.tx.status')).toBe('confirmed')
      }
      const mints = all.filter((s) => s.name === 'key.mint')
      expect(mints.map((s) => attr(s, 'gondola.key.type')).sort()).toEqual(['ADMIN', 'INFERENCE'])

      await reader.forceFlush()
      const exported = metricExporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
      const metric = (name: string) => exported.filter((m) => m.descriptor.name === name).at(-1)
      const spent = metric('gondola.diem.spent')!.dataPoints.reduce((s, p) => s + Number(p.value), 0)
      expect(spent).toBeCloseTo(result.costDiem + result.costUsd, 9)
      expect(metric('gondola.topups')!.dataPoints.find((p) => p.attributes.outcome === 'topped_up')?.value).toBe(1)
      expect(metric('gondola.model.calls')!.dataPoints[0]!.value).toBe(result.steps)
      expect(metric('gondola.wallet.transactions')).toBeDefined()

      const dump = JSON.stringify(all.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
      for (const k of store.keys()) expect(dump).not.toContain(store.reveal(k.id))
      expect(dump).not.toContain(wallet.privateKey.slice(2))
      expect(dump).not.toContain(emulator().baseURL)
    } finally {
      await telemetry.shutdown()
    }
  })

  it('exports traces and metrics over OTLP/HTTP to a collector named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const received: { path: string; body: string }[] = []
    const collector = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        received.push({ path: req.url ?? '', body })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()))
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
    const telemetry = startTelemetry({ ...off, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'gondola-test' })
    try {
      const { result } = await runTreasurer()
      expect(result.status).toBe('completed')
    } finally {
      await telemetry.shutdown()
      collector.close()
    }
    const traces = received.filter((r) => r.path === '/v1/traces').map((r) => r.body).join('')
    const metrics = received.filter((r) => r.path === '/v1/metrics').map((r) => r.body).join('')
    expect(traces).toContain('invoke_agent treasurer')
    expect(traces).toContain('gen_ai.usage.input_tokens')
    expect(traces).toContain('gondola-test')
    expect(metrics).toContain('gondola.diem.spent')
  })
})
