/**
 * OpenTelemetry for Gondola: spans for agent runs, model calls (GenAI semantic conventions plus Venice cost and
 * balance), tool calls, wallet transactions and key operations; metrics for spend, balance, runway, top-ups, 429s
 * and tool errors. Off unless the standard `OTEL_*` variables switch it on.
 *
 * @example
 * ```ts
 * import { startTelemetry } from './index.js'
 * const telemetry = startTelemetry(readEnv())
 * ```
 */
export { startTelemetry, type Telemetry, type TelemetrySettings } from './startTelemetry.js'
export {
  traceAgentRun,
  recordModelCall,
  recordFailedModelCall,
  traceToolCall,
  traceMcpToolCall,
  traceTransaction,
  traceKeyOperation,
  recordFunding,
  recordRateLimited,
  recordRunway,
} from './record.js'
export { inSpan, tracer, meters, watchRunway } from './instruments.js'
export * as telemetryAttributes from './attributes.js'
export { startTelemetryFromEnv } from './fromEnv.js'
