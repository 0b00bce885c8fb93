/**
 * OpenTelemetry loads only when something is registered (issue #25): the attribute names are plain strings equal to
 * the semantic conventions' own, and with no provider registered the chokepoints run on no-op spans and instruments
 * without the API; once a provider is registered (by any copy of the API) they record into it.
 */
import * as semconv from '@opentelemetry/semantic-conventions'
import * as incubating from '@opentelemetry/semantic-conventions/incubating'
import { describe, expect, it } from 'vitest'
import * as A from '../src/telemetry/attributes.js'
import { otelApi } from '../src/telemetry/api.js'
import { inSpan, meters, metricsEnabled, tracer, tracingEnabled } from '../src/telemetry/instruments.js'
import { telemetryWanted } from '../src/telemetry/wanted.js'
import { startTelemetry } from '../src/telemetry/startTelemetry.js'

describe('telemetry without the API loaded', () => {
  it('the attribute names are the semantic conventions’ own', () => {
    const ours = Object.entries({ ...A }).filter(([k]) => /^ATTR_(GEN_AI|ERROR|SERVER|SERVICE)_/.test(k))
    const theirs: Record<string, unknown> = { ...semconv, ...incubating }
    expect(ours).toHaveLength(16)
    for (const [k, v] of ours) expect(v, k).toBe(theirs[k])
  })

  it('no exporter configured: nothing wanted (so the CLI loads none of OpenTelemetry)', () => {
    expect(telemetryWanted({}).wanted).toBe(false)
    expect(telemetryWanted({ OTEL_SDK_DISABLED: true, OTEL_TRACES_EXPORTER: 'console' }).wanted).toBe(false)
    expect(telemetryWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({ tracesTo: 'otlp', metricsTo: 'otlp', wanted: true })
    expect(telemetryWanted({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({ tracesTo: 'console', metricsTo: 'none', wanted: true })
  })

  it('no provider: no API, no-op spans and instruments; a provider: real spans; disabled again: no-op', async () => {
    expect(otelApi()).toBeUndefined()
    expect(tracingEnabled()).toBe(false)
    expect(metricsEnabled()).toBe(false)
    const span = tracer().startSpan('nothing')
    expect(span.isRecording()).toBe(false)
    span.setAttribute('a', 1).setStatus({ code: 2 }).end()
    meters().modelCalls.add(1)
    expect(await inSpan('x', {}, async (s) => (s.isRecording() ? 'recording' : 'noop'))).toBe('noop')
    expect(await tracer().startActiveSpan('y', async (s) => s.isRecording())).toBe(false)

    const lines: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((line: string) => lines.push(line) > 0) as typeof process.stderr.write
    let telemetry: Awaited<ReturnType<typeof startTelemetry>> | undefined
    try {
      telemetry = startTelemetry({ OTEL_SDK_DISABLED: false, OTEL_TRACES_EXPORTER: 'console', OTEL_METRIC_EXPORT_INTERVAL: 60_000 })
      expect(otelApi()).toBeDefined()
      expect(tracingEnabled()).toBe(true)
      expect(await inSpan('real span', { 'gondola.agent': 'lazy' }, async (s) => s.isRecording())).toBe(true)
    } finally {
      await telemetry?.shutdown()
      process.stderr.write = write
    }
    expect(lines.map((l) => JSON.parse(l).name)).toEqual(['real span'])
    expect(tracingEnabled()).toBe(false)
  })
})
