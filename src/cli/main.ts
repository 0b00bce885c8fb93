/**
 * The `gondola` command line. Commands are data (citty `defineCommand`), loaded lazily,
 * and every failure is caught once here and printed as one line with a non-zero exit code.
 */
import { defineCommand, runCommand, showUsage } from 'citty'
import { BaseError } from '../errors/BaseError.js'
import { stripUrlCredentials } from '../util/redact.js'
import { subCommands } from './commands/index.js'
import { startTelemetryFromEnv } from '../telemetry/fromEnv.js'

export const main = defineCommand({
  meta: { name: 'gondola', version: '0.1.0', description: 'Runtime for AI agents that pay for their own intelligence on Venice' },
  subCommands,
})

async function run(): Promise<void> {
  const rawArgs = process.argv.slice(2)
  if (rawArgs.length === 0 || rawArgs[0] === '--help' || rawArgs[0] === '-h') {
    await showUsage(main)
    return
  }
  try {
    if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
      // citty's runMain prints usage for a subcommand; resolve it ourselves to keep one error path.
      const { runMain } = await import('citty')
      await runMain(main, { rawArgs })
      return
    }
    const telemetry = startTelemetryFromEnv()
    try {
      await runCommand(main, { rawArgs })
    } finally {
      await telemetry.shutdown()
    }
  } catch (err) {
    const json = rawArgs.includes('--json')
    const message = oneLine(err)
    const hint = err instanceof BaseError ? err.metaMessages[0] : undefined
    if (json) process.stdout.write(`${JSON.stringify({ error: { name: err instanceof Error ? err.name : 'Error', message, hint } })}\n`)
    process.stderr.write(`gondola: ${message}${hint ? ` ${hint}` : ''}\n`)
    process.exitCode = err instanceof BaseError ? err.exitCode : 1
  }
}

/** One line for any error: ours carry `shortMessage`; viem's too (plus `details`); others their first line. */
function oneLine(err: unknown): string {
  if (err instanceof BaseError) return err.shortMessage
  const e = err as { shortMessage?: unknown; details?: unknown; message?: unknown; url?: unknown }
  if (typeof e?.shortMessage === 'string') {
    const where = typeof e.url === 'string' ? ` ${stripUrlCredentials(e.url)}` : ''
    return `${e.shortMessage}${where}${typeof e.details === 'string' && e.details ? ` (${e.details})` : ''}`
  }
  return String(typeof e?.message === 'string' ? e.message : err).split('\n')[0]!
}

await run()
