/**
 * Issue 17: OpenTelemetry's cost per model call. The same two-step tool run on the in-process emulator, with
 * telemetry off (no provider: no-op spans) and on (SDK with an in-memory span exporter and a metric reader),
 * interleaved rounds, median per step.
 */
import type { Address } from 'viem'
import { z } from 'zod'
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createLedger, createRunner } from '../../src/agent/index.js'
import { createStaticChainReader } from '../../devnet/src/emulator/chainReader.js'
import { startEmulator } from '../../devnet/src/emulator/startEmulator.js'
import { startTelemetry } from '../../src/telemetry/startTelemetry.js'
import { defineTool } from '../../src/tools/index.js'
import type { BenchRow } from './types.js'

const OWNER: Address = '0x00000000000000000000000000000000000BE4C4'
const add = defineTool({
  name: 'add',
  description: 'Adds two numbers and returns their sum.',
  schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
  handler: ({ a, b }) => ({ sum: a + b }),
})
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function bench(): Promise<BenchRow[]> {
  const em = await startEmulator({ chain: createStaticChainReader({ [OWNER]: { svvv: 10n ** 24n } }), dailyPoolDiem: 1e9 })
  try {
    em.setRateLimits({ global: { rpm: 1e9, tpm: 1e12, rpd: 1e12 } })
    const { apiKey } = em.createKey(OWNER)
    const runner = createRunner({ baseURL: em.baseURL, keys: [{ name: 'k', apiKey }], ledger: createLedger() })
    const perStep = async (runs: number) => {
      const t0 = performance.now()
      let steps = 0
      for (let i = 0; i < runs; i++)
        steps += (await runner.run({ agent: 'bench', prompt: 'Please call add with 2 and 3', tools: [add], model: 'qwen3-4b' })).steps
      return (performance.now() - t0) / steps
    }
    await perStep(50) // warm up
    const off: number[] = []
    const on: number[] = []
    let spans = 0
    for (let round = 0; round < 7; round++) {
      off.push(await perStep(100))
      const exporter = new InMemorySpanExporter()
      const telemetry = startTelemetry(
        { OTEL_SDK_DISABLED: false, OTEL_METRIC_EXPORT_INTERVAL: 60_000 },
        {
          extraSpanProcessors: [new SimpleSpanProcessor(exporter)],
          extraMetricReaders: [
            new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 }),
          ],
        },
      )
      on.push(await perStep(100))
      spans += exporter.getFinishedSpans().length
      await telemetry.shutdown()
    }
    runner.close()
    return [
      {
        issue: 17,
        metric: `model call (tool loop step) with OpenTelemetry on (in-memory exporter, ${spans} spans) vs off`,
        value: median(on),
        unit: 'ms/step',
        baseline: median(off),
        goal: 'report',
      },
    ]
  } finally {
    await em.stop()
  }
}
