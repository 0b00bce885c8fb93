import type { TelemetrySettings } from './startTelemetry.js'

/**
 * Where the `OTEL_*` settings send traces and metrics (`'none'` when nowhere), and whether that is anywhere at
 * all. Pure and dependency-free, so a CLI process decides whether to load OpenTelemetry before loading any of it.
 *
 * @example
 * ```ts
 * telemetryWanted({ OTEL_TRACES_EXPORTER: 'console' }) // { tracesTo: 'console', metricsTo: 'none', wanted: true }
 * ```
 */
export function telemetryWanted(env: Partial<TelemetrySettings>): { tracesTo: string; metricsTo: string; wanted: boolean } {
  const tracesTo = env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none')
  const metricsTo = env.OTEL_METRICS_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ? 'otlp' : 'none')
  return { tracesTo, metricsTo, wanted: !env.OTEL_SDK_DISABLED && (tracesTo !== 'none' || metricsTo !== 'none') }
}
