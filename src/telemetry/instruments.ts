import type { Attributes, Counter, Gauge, Meter, ObservableGauge, Span, Tracer } from '@opentelemetry/api'
import { otelApi } from './api.js'
import * as A from './attributes.js'
import { spanException } from '../util/publicError.js'

const SCOPE = 'gondola'

/**
 * Gondola's tracer: a no-op until `startTelemetry` (or your own SDK) registers a provider. With none registered the
 * API is not loaded, and this is the no-op tracer below.
 */
export const tracer = (): Tracer => otelApi()?.trace.getTracer(SCOPE) ?? NOOP_TRACER

/** The API's own no-op provider (what the global proxy delegates to until one is registered), per loaded API. */
let noopTracerProvider: [unknown, unknown] | undefined

/**
 * True when a tracer provider is registered. With none, every span is a no-op, so the chokepoints skip
 * building spans and attribute objects at all (they run on every model step: issue #18). A provider from
 * another copy of the API counts as registered (the safe answer).
 *
 * @example
 * ```ts
 * if (tracingEnabled()) span.setAttributes(expensiveAttributes())
 * ```
 */
export function tracingEnabled(): boolean {
  const api = otelApi()
  if (!api) return false
  if (noopTracerProvider?.[0] !== api) noopTracerProvider = [api, new api.ProxyTracerProvider().getDelegate()]
  const p = api.trace.getTracerProvider()
  return !(p instanceof api.ProxyTracerProvider && p.getDelegate() === noopTracerProvider[1])
}

const NOOP_SPAN_CONTEXT = { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 }

/**
 * A span that records nothing, handed to `inSpan` callbacks when tracing is off. Written here (not the API's
 * `trace.wrapSpanContext(INVALID_SPAN_CONTEXT)`) so that it exists without loading the API.
 */
export const NOOP_SPAN: Span = {
  spanContext: () => NOOP_SPAN_CONTEXT,
  setAttribute: () => NOOP_SPAN,
  setAttributes: () => NOOP_SPAN,
  addEvent: () => NOOP_SPAN,
  addLink: () => NOOP_SPAN,
  addLinks: () => NOOP_SPAN,
  setStatus: () => NOOP_SPAN,
  updateName: () => NOOP_SPAN,
  end: () => {},
  isRecording: () => false,
  recordException: () => {},
}

/** The tracer `tracer()` gives while no provider is registered (and the API is not loaded). */
const NOOP_TRACER = {
  startSpan: () => NOOP_SPAN,
  startActiveSpan: (_name: string, ...rest: unknown[]) => (rest.at(-1) as (span: Span) => unknown)(NOOP_SPAN),
} as unknown as Tracer

let instruments: Instruments | undefined
let instrumentsFor: unknown

/** The API's no-op meter class, per loaded API. */
let noopMeter: [unknown, unknown] | undefined

/** True when a meter provider is registered (the API's default meter is a no-op). */
export function metricsEnabled(): boolean {
  const api = otelApi()
  if (!api) return false
  if (noopMeter?.[0] !== api) noopMeter = [api, api.createNoopMeter().constructor]
  return !(api.metrics.getMeter(SCOPE) instanceof (noopMeter[1] as new () => unknown))
}

/** Gondola's metric instruments. */
export type Instruments = {
  runway: ObservableGauge
  diemSpent: Counter
  modelCalls: Counter
  balance: Gauge
  topUps: Counter
  rateLimited: Counter
  toolErrors: Counter
  transactions: Counter
}

const NOOP_INSTRUMENT = { add: () => {}, record: () => {}, addCallback: () => {}, removeCallback: () => {} }
/** What `meters()` gives while no provider is registered (and the API is not loaded): every record is dropped. */
const NOOP_INSTRUMENTS = Object.fromEntries(
  ['runway', 'diemSpent', 'modelCalls', 'balance', 'topUps', 'rateLimited', 'toolErrors', 'transactions'].map((k) => [k, NOOP_INSTRUMENT]),
) as unknown as Instruments

/** The metric instruments, made once per registered meter provider. */
export function meters(): Instruments {
  const api = otelApi()
  if (!api) return NOOP_INSTRUMENTS
  const provider = api.metrics.getMeterProvider()
  if (!instruments || instrumentsFor !== provider) {
    instruments = makeInstruments(api.metrics.getMeter(SCOPE))
    instrumentsFor = provider
  }
  return instruments
}

/** Where each key's runway is read when metrics are collected: one entry per balance monitor, labelled by its key. */
const runwaySources = new Map<unknown, { keyHint: string; hours: () => number }>()

/**
 * Makes `gondola.runway.hours` report a key's runway, read from its balance monitor (the status model) each time
 * metrics are collected, so the gauge says what `get_runway` and `gondola status` say at that moment, not what
 * was true at the key's last call. `source` is the monitor (or the key hint): one series per source, relabelled after a rotation.
 *
 * @example
 * ```ts
 * watchRunway(monitor, venice.keyHint, () => monitor.snapshot().runwayHours)
 * ```
 */
export function watchRunway(source: unknown, keyHint: string | undefined, hours: () => number): void {
  runwaySources.set(source, { keyHint: keyHint ?? 'unknown', hours })
  meters() // the gauge exists once a meter provider is registered
}

function makeInstruments(m: Meter): Instruments {
  const runway = m.createObservableGauge('gondola.runway.hours', {
    description: "Hours of inference left at a key's recent burn rate (the status model's runway)",
    unit: 'h',
  })
  runway.addCallback((result) => {
    for (const { keyHint, hours } of runwaySources.values()) {
      const h = hours()
      if (Number.isFinite(h)) result.observe(h, { [A.ATTR_VENICE_KEY]: keyHint })
    }
  })
  return {
    runway,
    diemSpent: m.createCounter('gondola.diem.spent', { description: 'Diem (and USD at 1:1) spent on Venice inference, by agent and key', unit: '{diem}' }),
    modelCalls: m.createCounter('gondola.model.calls', { description: 'Venice model calls, by agent and model' }),
    balance: m.createGauge('gondola.balance.diem', { description: "A key's Diem balance after its latest call", unit: '{diem}' }),
    topUps: m.createCounter('gondola.topups', { description: 'Funding attempts, by outcome (topped_up, refused, cooldown, failed)' }),
    rateLimited: m.createCounter('gondola.venice.rate_limited', { description: '429 answers from Venice' }),
    toolErrors: m.createCounter('gondola.tool.errors', { description: 'Tool calls that came back as errors, by tool' }),
    transactions: m.createCounter('gondola.wallet.transactions', { description: 'Wallet transactions, by status' }),
  }
}

/**
 * Runs `fn` inside a span that is the active context (children nest under it), records an exception as the
 * span's error status, and ends the span. With no provider registered this is one no-op span object.
 *
 * @example
 * ```ts
 * const result = await inSpan('invoke_agent treasurer', { 'gen_ai.operation.name': 'invoke_agent' }, (span) => run())
 * ```
 */
export function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  // No provider: the span would be a no-op and the context unchanged, so skip both.
  if (!tracingEnabled()) return fn(NOOP_SPAN)
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span)
    } catch (err) {
      markFailed(span, err)
      throw err
    } finally {
      span.end()
    }
  })
}

/**
 * Marks a span failed by `err`: ERROR status, `error.type` (the error's class name, per the semantic conventions)
 * and an exception event made by `spanException` (the one error boundary: never a stack, a keyed URL or a body).
 *
 * @example
 * ```ts
 * try { await send() } catch (err) { markFailed(span, err); throw err }
 * ```
 */
export function markFailed(span: Span, err: unknown): void {
  const type = errorTypeOf(err)
  span.recordException(spanException(err)) // through the one redaction boundary
  span.setAttribute(A.ATTR_ERROR_TYPE, type)
  span.setStatus({ code: SPAN_STATUS_ERROR, message: type })
}

/** `error.type` for a thrown value: the error's class name (`InsufficientBalanceError`), else `_OTHER`. */
export function errorTypeOf(err: unknown): string {
  return err instanceof Error && err.name ? err.name : '_OTHER'
}

/** `SpanStatusCode.ERROR` of the API (a stable enum value), without loading the API. */
export const SPAN_STATUS_ERROR = 2

export { A as attributes }
