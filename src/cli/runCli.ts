/**
 * The `gondola` command line, minus the process: `runCli(argv)` runs one command and returns its exit code.
 * Commands are data (citty `defineCommand`), loaded lazily. Before any command code runs, the whole argv is
 * checked against the command tree (`args/checkArgv.ts`: unknown or repeated flags are usage errors). Every
 * failure is caught once here, printed as one line, and mapped to the exit code of its class
 * (`src/errors/exitCodes.ts`).
 */
import { stripVTControlCharacters } from 'node:util'
import { defineCommand, renderUsage, runCommand } from 'citty'
import { colorEnabled, readEnv, type Env } from '../config/env.js'
import { configureLogging, getLogger } from '../util/logger.js'
import { publicError } from '../util/publicError.js'
import { checkArgv } from './args/index.js'
import { subCommands } from './commands/index.js'
import { packageVersion } from './version.js'

export const main = defineCommand({
  meta: { name: 'gondola', version: packageVersion(), description: 'Runtime for AI agents that pay for their own intelligence on Venice' },
  subCommands,
})

/**
 * Runs `gondola <rawArgs>` in this process and returns the exit code (0 on success; a command may also set
 * `process.exitCode`, e.g. a failed agent run). Output goes to stdout/stderr as the binary's does.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2))
 * ```
 */
export async function runCli(rawArgs: string[]): Promise<number> {
  try {
    const checked = await checkArgv(main, rawArgs)
    if (checked.version) {
      process.stdout.write(`${packageVersion()}\n`)
      return 0
    }
    if (rawArgs.length === 0 || checked.help) {
      const usage = await renderUsage(checked.command, checked.parent)
      // citty pads the last column to the longest description of all: trailing blanks are dropped, per line.
      const text = (colorEnabled(process.stdout) ? usage : stripVTControlCharacters(usage)).replace(/[ \t]+$/gm, '')
      process.stdout.write(`${text}\n`)
      return 0
    }
    const env = configureLoggingFromEnv()
    const log = getLogger('cli')
    const started = Date.now()
    if (env) log.trace('environment', { network: env.GONDOLA_NETWORK, stateDir: env.GONDOLA_STATE_DIR, logLevel: env.GONDOLA_LOG_LEVEL })
    log.debug('command started', { command: checked.path.join(' '), flags: rawArgs.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]) })
    // Loaded with the command, not at start-up: `gondola --version` and `--help` never load it.
    const telemetry = await (await import('../telemetry/fromEnv.js')).startTelemetryFromEnv()
    try {
      await runCommand(main, { rawArgs })
    } finally {
      await telemetry.shutdown()
    }
    const exitCode = Number(process.exitCode ?? 0)
    log.debug('command finished', { command: checked.path.join(' '), ms: Date.now() - started, exitCode })
    return exitCode
  } catch (err) {
    const json = rawArgs.includes('--json')
    // The one error line may quote an RPC URL or a server message: it crosses the one boundary (publicError).
    const { message, hint, exitCode } = publicError(err)
    getLogger('cli').debug('command failed', { error: err instanceof Error ? err.name : 'Error', code: (err as { code?: unknown })?.code, exitCode })
    if (json) process.stdout.write(`${JSON.stringify({ error: { name: err instanceof Error ? err.name : 'Error', message, hint, exitCode } })}\n`)
    const line = `gondola: ${message}${hint ? ` ${hint}` : ''}`
    process.stderr.write(`${colorEnabled(process.stderr) ? `\u001B[31m${line}\u001B[39m` : line}\n`)
    return exitCode
  }
}

/** The log level from GONDOLA_LOG_LEVEL; a bad environment is reported by the command's own `readEnv()` (exit 3). */
function configureLoggingFromEnv(): Env | undefined {
  try {
    const env = readEnv()
    configureLogging({ level: env.GONDOLA_LOG_LEVEL })
    return env
  } catch {
    // The command reads the environment again and fails with the ConfigError naming the variable.
    return undefined
  }
}
