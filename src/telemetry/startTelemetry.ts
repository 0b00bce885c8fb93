import type { MetricReader } from '@opentelemetry/sdk-metrics'
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Env } from '../config/env.js'
import { assertInstalled, requireOptional } from '../util/optionalDependency.js'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './attributes.js'
import { StderrSpanExporter } from './stderrSpanExporter.js'
import { telemetryWanted } from './wanted.js'

/** The `OTEL_*` settings Gondola honours (read by `src/config/env.ts`, like every variable). */
export type TelemetrySettings = Pick<
  Env,
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_METRICS_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'
  | 'OTEL_METRIC_EXPORT_INTERVAL'
>

/** What switching telemetry on needs: optional peer dependencies, installed by those who use it. */
export const TELEMETRY_PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace-base',
] as const
const TELEMETRY_FEATURE = 'OpenTelemetry (an OTEL_* exporter is set)'

/** What `startTelemetry` started; `shutdown()` flushes and stops it (call before exit). */
export type Telemetry = { enabled: boolean; shutdown: () => Promise<void> }

/**
 * How long one OTLP export may take (ms), per request and in all with its retries. A collector that is down or
 * hangs must never hold a command up (issue #26: an unreachable one added ~22 s, a hanging one ~20 s).
 */
export const EXPORT_TIMEOUT_MS = 1_000
/** The most `shutdown()` waits for the last export (ms): after that, what is not sent is dropped. */
export const SHUTDOWN_BOUND_MS = 1_000

/**
 * Switches OpenTelemetry on from the standard `OTEL_*` variables; off (no provider, no-op spans) unless one of
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_TRACES_EXPORTER=otlp|console` is set,
 * and always off with `OTEL_SDK_DISABLED=true`. Traces go to OTLP/HTTP (`/v1/traces`) or the console; metrics to
 * OTLP/HTTP (`/v1/metrics`) every `OTEL_METRIC_EXPORT_INTERVAL` ms. Console spans go to **stderr** (stdout carries
 * results only). Each export gives up after `EXPORT_TIMEOUT_MS`, and `shutdown()` resolves within `SHUTDOWN_BOUND_MS`
 * whatever the collector does; the last metrics are exported once, by the shutdown.
 *
 * @example
 * ```ts
 * const telemetry = startTelemetry(readEnv()) // OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
 * // … run agents …
 * await telemetry.shutdown()
 * ```
 */
export function startTelemetry(
  env: TelemetrySettings,
  o: { serviceVersion?: string; extraSpanProcessors?: SpanProcessor[]; extraMetricReaders?: MetricReader[] } = {},
): Telemetry {
  const { tracesTo, metricsTo } = telemetryWanted(env)
  const enabled = !env.OTEL_SDK_DISABLED && (tracesTo !== 'none' || metricsTo !== 'none' || !!o.extraSpanProcessors?.length || !!o.extraMetricReaders?.length)
  if (!enabled) return { enabled: false, shutdown: async () => {} }

  // The API, the SDK and its exporters are optional peer dependencies, loaded only when telemetry is switched on;
  // every missing one is named at once.
  assertInstalled(TELEMETRY_PACKAGES, TELEMETRY_FEATURE)
  const sdk = <T>(pkg: string) => requireOptional<T>(pkg, TELEMETRY_FEATURE)
  const { context, metrics, trace } = sdk<typeof import('@opentelemetry/api')>('@opentelemetry/api')
  const { AsyncLocalStorageContextManager } = sdk<typeof import('@opentelemetry/context-async-hooks')>('@opentelemetry/context-async-hooks')
  const { OTLPMetricExporter } = sdk<typeof import('@opentelemetry/exporter-metrics-otlp-http')>('@opentelemetry/exporter-metrics-otlp-http')
  const { OTLPTraceExporter } = sdk<typeof import('@opentelemetry/exporter-trace-otlp-http')>('@opentelemetry/exporter-trace-otlp-http')
  const { resourceFromAttributes } = sdk<typeof import('@opentelemetry/resources')>('@opentelemetry/resources')
  const { MeterProvider, PeriodicExportingMetricReader } = sdk<typeof import('@opentelemetry/sdk-metrics')>('@opentelemetry/sdk-metrics')
  const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = sdk<typeof import('@opentelemetry/sdk-trace-base')>('@opentelemetry/sdk-trace-base')

  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? 'gondola', [ATTR_SERVICE_VERSION]: o.serviceVersion ?? '0.1.0' })
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, '')
  const spanProcessors: SpanProcessor[] = [...(o.extraSpanProcessors ?? [])]
  const exporter: SpanExporter | undefined =
    tracesTo === 'otlp'
      ? new OTLPTraceExporter({
          url: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${base ?? 'http://localhost:4318'}/v1/traces`,
          timeoutMillis: EXPORT_TIMEOUT_MS,
        })
      : tracesTo === 'console'
        ? new StderrSpanExporter()
        : undefined
  if (exporter)
    spanProcessors.push(
      tracesTo === 'console' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS }),
    )
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors })
  const readers: MetricReader[] = [...(o.extraMetricReaders ?? [])]
  if (metricsTo === 'otlp') {
    const exportIntervalMillis = env.OTEL_METRIC_EXPORT_INTERVAL
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({
          url: env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? `${base ?? 'http://localhost:4318'}/v1/metrics`,
          timeoutMillis: EXPORT_TIMEOUT_MS,
        }),
        exportIntervalMillis,
        exportTimeoutMillis: Math.min(EXPORT_TIMEOUT_MS, exportIntervalMillis),
      }),
    )
  }
  const meterProvider = new MeterProvider({ resource, readers })

  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  trace.setGlobalTracerProvider(tracerProvider)
  metrics.setGlobalMeterProvider(meterProvider)
  return {
    enabled: true,
    shutdown: async () => {
      // A provider's shutdown flushes what is pending (spans, and the metrics once): no forceFlush before it, which
      // sent every metrics export twice. Bounded: a hanging collector gets SHUTDOWN_BOUND_MS, then is dropped.
      await settleWithin(Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]), SHUTDOWN_BOUND_MS)
      trace.disable()
      metrics.disable()
      context.disable()
    },
  }
}

/** Waits for `work`, or `ms` at most (the timer does not keep the process alive). */
function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    void work.finally(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
