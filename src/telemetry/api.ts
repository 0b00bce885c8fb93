/**
 * The OpenTelemetry API, loaded only once something registered a global provider with it (`startTelemetry`, or a
 * host's own SDK). Until then every span and metric would be a no-op, so Gondola's chokepoints take their no-op
 * path without loading the API at all: a command that records nothing (`gondola wallet address`) never pays for
 * it (issue #25: it was ~150 ms of every command). `@opentelemetry/api` is an optional peer dependency, as
 * OpenTelemetry asks of libraries: whoever registers a provider has it installed.
 */
import type * as Api from '@opentelemetry/api'
import { createRequire } from 'node:module'

/** Where every copy of API v1 keeps its registered globals (`@opentelemetry/api`'s internal/global-utils). */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1')

let api: typeof Api | undefined

/**
 * The API module when a tracer or meter provider is registered (by any copy of API v1), else `undefined`.
 * Once loaded it stays loaded.
 *
 * @example
 * ```ts
 * const otel = otelApi()
 * if (otel) otel.trace.getTracer('gondola').startSpan('x').end()
 * ```
 */
export function otelApi(): typeof Api | undefined {
  if (api) return api
  const registered = (globalThis as { [GLOBAL_KEY]?: { trace?: unknown; metrics?: unknown } })[GLOBAL_KEY]
  if (!registered?.trace && !registered?.metrics) return undefined
  try {
    api = createRequire(import.meta.url)('@opentelemetry/api') as typeof Api
  } catch {
    // A provider registered through a copy of the API this package cannot resolve: nothing to record into.
    return undefined
  }
  return api
}
