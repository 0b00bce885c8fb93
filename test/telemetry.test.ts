import { join } from 'node:path'
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { EXPORT_TIMEOUT_MS, SHUTDOWN_BOUND_MS, startTelemetry } from '../src/telemetry/startTelemetry.js'
import { meters, tracer } from '../src/telemetry/instruments.js'
import { traceToolCall } from '../src/telemetry/record.js'
import { runToolCall } from '../src/tools/runToolCall.js'
import { stakingAbi } from '../src/chain/abis/index.js'
import { sendCall } from '../src/wallet/send/sendCall.js'
import { withRun } from '../src/wallet/send/withRun.js'
import { hangingCollector, otlpReceiver, unreachablePort } from './helpers/otlpReceiver.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
// A daily pool so small that the first call leaves the key dry: the second call's 402 runs an on-chain top-up.
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, dailyPoolDiem: 0.00001 })

const treasurer = defineAgent({
  name: 'treasurer',
  model: 'qwen3-4b',
  tools: ['get_wallet_balances', 'get_runway'],
  prompt: 'Call get_wallet_balances, then get_runway, and report.',
})
const off = { OTEL_SDK_DISABLED: false, OTEL_METRIC_EXPORT_INTERVAL: 60_000 } as const

async function runTreasurer(o: { ethPerTopUp?: bigint } = {}) {
  const world = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
  const host = createAgentHost({
    wallet: world.wallet,
    store: world.store,
    baseURL: emulator().baseURL,
    outboxDir: join(world.stateDir, 'outbox'),
    funding: { minRunwayHours: 0.001, cooldownMs: 60_000, ethPerTopUp: o.ethPerTopUp ?? parseEther('0.01'), mintDiem: true },
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

      const dump = JSON.stringify(
        all.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      )
      for (const k of store.keys()) expect(dump).not.toContain(store.reveal(k.id))
      expect(dump).not.toContain(wallet.privateKey.slice(2))
      expect(dump).not.toContain(emulator().baseURL)
    } finally {
      await telemetry.shutdown()
    }
  })

  it('exports traces and metrics over OTLP/HTTP to a collector named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const collector = await otlpReceiver()
    const telemetry = startTelemetry({ ...off, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SERVICE_NAME: 'gondola-test' })
    try {
      const { result } = await runTreasurer()
      expect(result.status).toBe('completed')
    } finally {
      await telemetry.shutdown()
      await collector.close()
    }
    const traces = collector.bodies('/v1/traces').join('')
    const metrics = collector.bodies('/v1/metrics').join('')
    expect(traces).toContain('invoke_agent treasurer')
    expect(traces).toContain('gen_ai.usage.input_tokens')
    expect(traces).toContain('gondola-test')
    expect(metrics).toContain('gondola.diem.spent')
  })

  it('a failed model call, tool and transaction each get their span with error.type; chat spans name the server', async () => {
    const spans = new InMemorySpanExporter()
    const telemetry = startTelemetry(off, { extraSpanProcessors: [new SimpleSpanProcessor(spans)] })
    try {
      // The first call leaves the key dry; the second call's 402 cannot be funded (a top-up of more ETH than the wallet has).
      const { result, wallet } = await runTreasurer({ ethPerTopUp: parseEther('1000') })
      expect(result.status).toBe('insufficient_balance')
      const chats = spans.getFinishedSpans().filter((s) => attr(s, 'gen_ai.operation.name') === 'chat')
      expect(chats).toHaveLength(result.steps + 1)
      const failed = chats.at(-1)!
      expect(failed.name).toBe('chat qwen3-4b')
      expect(failed.status.code).toBe(2) // ERROR
      expect(attr(failed, 'error.type')).toBe('InsufficientBalanceError')
      expect(attr(failed, 'http.response.status_code')).toBe(402)
      expect(attr(failed, 'gondola.agent')).toBe('treasurer')
      const port = Number(new URL(emulator().baseURL).port)
      for (const c of chats) {
        expect(attr(c, 'server.address')).toBe('127.0.0.1')
        expect(attr(c, 'server.port')).toBe(port)
      }

      // A tool the model named wrongly: its execute_tool span fails with the runner's error class.
      await traceToolCall('treasurer', 'no_such_tool', 'call_1', () =>
        runToolCall(new Map(), { id: 'call_1', name: 'no_such_tool', arguments: '{}' }, { agent: 'treasurer' }),
      )
      const tool = spans.getFinishedSpans().find((s) => s.name === 'execute_tool no_such_tool')!
      expect(tool.status.code).toBe(2)
      expect(attr(tool, 'error.type')).toBe('unknown_tool')

      // A transaction that reverts (finalize with no unstake started): its wallet.tx span carries the error class.
      const err = await withRun(wallet, { intent: 'raw-finalize' }, (run) =>
        sendCall(wallet, run, 'finalize', async () => ({
          label: 'finalize unstake',
          to: wallet.addresses.staking,
          abi: stakingAbi,
          functionName: 'finalizeUnstake',
          args: [],
        })),
      ).catch((e: unknown) => e)
      expect(err).toMatchObject({ name: 'TransactionRevertedError' })
      const tx = spans.getFinishedSpans().find((s) => s.name === 'wallet.tx finalize')!
      expect(tx.status.code).toBe(2)
      expect(attr(tx, 'error.type')).toBe('TransactionRevertedError')
    } finally {
      await telemetry.shutdown()
    }
  })

  it('each metrics export is sent once at shutdown', async () => {
    const collector = await otlpReceiver()
    const telemetry = startTelemetry({ ...off, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint })
    try {
      meters().modelCalls.add(1, { 'gondola.agent': 'once' })
      tracer().startSpan('one span').end()
    } finally {
      await telemetry.shutdown()
      await collector.close()
    }
    expect(collector.bodies('/v1/metrics')).toHaveLength(1)
    expect(collector.bodies('/v1/metrics')[0]).toContain('gondola.model.calls')
    expect(collector.bodies('/v1/traces').join('')).toContain('one span')
  })

  it('a hanging collector never holds shutdown up: exports time out, shutdown resolves while the collector still says nothing', async () => {
    const collector = await hangingCollector()
    const telemetry = startTelemetry({ ...off, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint })
    const started = Date.now()
    try {
      meters().modelCalls.add(1, { 'gondola.agent': 'hang' })
      tracer().startSpan('hung span').end()
      await telemetry.shutdown()
      // Both exports reached the collector and are still waiting for an answer that never comes: shutdown did not wait for it.
      expect(collector.connections()).toBeGreaterThanOrEqual(1)
      // Generous bound: before, a hanging collector held shutdown ~20 s (10 s export timeout, flushed twice).
      expect(Date.now() - started).toBeLessThan(SHUTDOWN_BOUND_MS + 4_000)
      // The exporters give up on their own requests after EXPORT_TIMEOUT_MS (they were 10 s): the sockets close.
      const deadline = Date.now() + EXPORT_TIMEOUT_MS + 4_000
      while (collector.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(collector.open()).toBe(0)
    } finally {
      await collector.close()
    }
  })

  it('an unreachable collector never holds shutdown up', async () => {
    const port = await unreachablePort()
    const telemetry = startTelemetry({ ...off, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` })
    const started = Date.now()
    meters().modelCalls.add(1, { 'gondola.agent': 'unreachable' })
    tracer().startSpan('lost span').end()
    await telemetry.shutdown()
    // Before: connection refused was retried with backoff for up to 10 s per export, twice (~22 s per command).
    expect(Date.now() - started).toBeLessThan(SHUTDOWN_BOUND_MS + 4_000)
  })
})
