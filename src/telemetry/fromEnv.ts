import { readEnv } from '../config/env.js'
import type { Telemetry } from './startTelemetry.js'
import { telemetryWanted } from './wanted.js'

const OFF: Telemetry = { enabled: false, shutdown: async () => {} }

/**
 * Telemetry for a CLI process, from the environment. A bad variable is left to the command to report (with its
 * usual one-line error), so telemetry stays off then. With no `OTEL_*` exporter set, nothing of OpenTelemetry is
 * loaded (issue #25: the API alone was ~150 ms of every command).
 *
 * @example
 * ```ts
 * const telemetry = await startTelemetryFromEnv()
 * try { await runCommand(main, { rawArgs }) } finally { await telemetry.shutdown() }
 * ```
 */
export async function startTelemetryFromEnv(): Promise<Telemetry> {
  let env: ReturnType<typeof readEnv>
  try {
    env = readEnv()
  } catch {
    return OFF
  }
  if (!telemetryWanted(env).wanted) return OFF
  return (await import('./startTelemetry.js')).startTelemetry(env)
}
