import type { HrTime } from '@opentelemetry/api'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'

/** `ExportResult` of `@opentelemetry/core` (not a direct dependency): code 0 is SUCCESS. */
type ExportResult = { code: 0 | 1; error?: Error }

/**
 * `OTEL_TRACES_EXPORTER=console`, written to stderr: one JSON line per span, with the fields the SDK's
 * `ConsoleSpanExporter` shows. Hand-written because that exporter prints with `console.dir`, i.e. to **stdout**,
 * where it broke `--json` and the MCP stdio stream (issue #25): stdout carries results only.
 *
 * @example
 * ```ts
 * new SimpleSpanProcessor(new StderrSpanExporter())
 * ```
 */
export class StderrSpanExporter implements SpanExporter {
  constructor(private readonly write: (line: string) => void = (line) => void process.stderr.write(line)) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.write(`${JSON.stringify(spanInfo(span), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`)
    done({ code: 0 })
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }
}

function spanInfo(span: ReadableSpan) {
  const ctx = span.spanContext()
  return {
    otel: 'span',
    resource: { attributes: span.resource.attributes },
    instrumentationScope: span.instrumentationScope,
    traceId: ctx.traceId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    id: ctx.spanId,
    kind: span.kind,
    timestamp: micros(span.startTime),
    duration: micros(span.duration),
    attributes: span.attributes,
    status: span.status,
    events: span.events,
    links: span.links,
  }
}

function micros([seconds, nanos]: HrTime): number {
  return seconds * 1e6 + Math.round(nanos / 1e3)
}
