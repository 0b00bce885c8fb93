import { redactText } from './redact.js'

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug'

/** A leveled logger; every line passes through secret redaction (`redactText`: keys, bearer tokens, URL credentials) before it is written. */
export type Logger = {
  error(message: string, data?: Record<string, unknown>): void
  warn(message: string, data?: Record<string, unknown>): void
  info(message: string, data?: Record<string, unknown>): void
  debug(message: string, data?: Record<string, unknown>): void
}

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 }

/**
 * A logger writing `level message {data}` lines to stderr (or `write`) at or above `level`
 * (GONDOLA_LOG_LEVEL). Bearer tokens and key-shaped strings are redacted from every line.
 *
 * @example
 * ```ts
 * const log = createLogger('debug')
 * log.debug('venice: retrying', { status: 503, attempt: 1 })
 * ```
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string, data?: Record<string, unknown>) => {
    if (rank[l] > rank[level]) return
    const suffix = data && Object.keys(data).length ? ` ${JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}` : ''
    write(`${l.padEnd(5)} ${redactText(message + suffix)}\n`)
  }
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }
}
