import { readEnv } from '../config/env.js'
import { startTelemetry, type Telemetry } from './startTelemetry.js'

/**
 * Telemetry for a CLI process, from the environment. A bad variable is left to the command to report (with its
 * usual one-line error), so telemetry stays off then.
 *
 * @example
 * ```ts
 * const telemetry = startTelemetryFromEnv()
 * try { await runCommand(main, { rawArgs }) } finally { await telemetry.shutdown() }
 * ```
 */
export function startTelemetryFromEnv(): Telemetry {
  try {
    return startTelemetry(readEnv())
  } catch {
    return { enabled: false, shutdown: async () => {} }
  }
}
