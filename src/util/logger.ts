/**
 * Structured logs on pino: one JSON line per event on stderr (`time`, `level`, `component`, `msg`, then the
 * fields), pretty-printed by pino-pretty when stderr is a terminal. One root logger per process
 * (`configureLogging`), and `getLogger(component)` / `logger.child({ component })` per module.
 *
 * Secrets are removed by the logger itself, not at call sites: pino `redact` paths censor secret-named fields
 * (`apiKey`, `privateKey`, `password`, `authorization`, …), and the `formatters.log` / `hooks.logMethod` hooks
 * strip credentials from every URL and key-shaped string in the message and in field values; an error field becomes
 * `{ name, message }` from the one error boundary (`publicError.ts`).
 */
import { publicError, publicText } from './publicError.js'
import { createRequire } from 'node:module'
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino'
import { colorEnabled } from '../config/env.js'

/** GONDOLA_LOG_LEVEL values, quietest first. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug', 'trace'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

type Fields = Record<string, unknown>

/** A leveled, structured logger. Put tx hashes, run ids and agent names in `data`, not in `message`. */
export type Logger = {
  error(message: string, data?: Fields): void
  warn(message: string, data?: Fields): void
  info(message: string, data?: Fields): void
  debug(message: string, data?: Fields): void
  trace(message: string, data?: Fields): void
  /** A logger whose lines all carry `bindings` (e.g. `{ component: 'wallet' }` or `{ agent: 'treasurer' }`). */
  child(bindings: Fields): Logger
}

/** Field names whose values are secrets, at the top level and one level down (pino redact paths). */
const SECRET_KEYS = [
  'apiKey',
  'api_key',
  'privateKey',
  'password',
  'passphrase',
  'secret',
  'token',
  'mnemonic',
  'authorization',
  'Authorization',
  'cookie',
  'GONDOLA_KEYSTORE_PASSWORD',
  'GONDOLA_FLEET_SECRET',
  'GONDOLA_PRIVATE_KEY',
  'VENICE_ADMIN_API_KEY',
]
export const REDACT_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'headers.authorization', '*.headers.authorization']

/**
 * Credentials out of a string: userinfo and key-like query values of every URL in it, bearer tokens, API keys.
 *
 * @example
 * ```ts
 * redactText('GET https://u:pw@rpc.example/ with Bearer abcdef123456') // 'GET https://rpc.example/ with Bearer [redacted]'
 * ```
 */
export function redactText(text: string): string {
  return publicText(text)
}

/** Field values, deeply (bounded): strings redacted, bigints as decimal strings, errors as `{ name, message }`. */
function cleanValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value)
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object' || depth > 5) return value
  if (value instanceof Error) {
    const e = publicError(value)
    return { name: e.name, message: e.message }
  }
  if (Array.isArray(value)) return value.map((v) => cleanValue(v, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanValue(v, depth + 1)]))
}

export type CreateLoggerOptions = {
  /** The `component` field of every line (default: none; children add theirs). */
  component?: string | undefined
  /** Human-readable lines (pino-pretty) instead of JSON. Default: stderr is a TTY and no `write` is given. */
  pretty?: boolean | undefined
}

/**
 * A logger writing JSON lines at or above `level` to stderr, or to `write` (one call per line).
 *
 * @example
 * ```ts
 * const log = createLogger('debug', undefined, { component: 'venice' })
 * log.debug('retrying', { status: 503, attempt: 1 })
 * // {"level":"debug","time":"2026-…","pid":123,"component":"venice","msg":"retrying","status":503,"attempt":1}
 * ```
 */
export function createLogger(level: LogLevel, write?: (line: string) => void, options: CreateLoggerOptions = {}): Logger {
  const p = createPino(level, write, options)
  return bound(() => p, options.component ? { component: options.component } : {})
}

function createPino(level: LogLevel, write: ((line: string) => void) | undefined, options: CreateLoggerOptions): PinoLogger {
  const pretty = options.pretty ?? (write === undefined && Boolean(process.stderr.isTTY))
  const destination: DestinationStream = write ? { write } : pretty ? prettyStream() : pino.destination({ fd: 2, sync: true })
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => cleanValue(object) as Fields,
      },
      hooks: {
        logMethod(args, method) {
          if (typeof args[0] === 'string') args[0] = redactText(args[0])
          else if (typeof args[1] === 'string') args[1] = redactText(args[1])
          method.apply(this, args as Parameters<typeof method>)
        },
      },
    },
    destination,
  )
  return logger
}

/** pino-pretty as a synchronous stream on stderr (loaded only for a terminal). */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => DestinationStream
  return pretty({
    destination: 2,
    sync: true,
    colorize: colorEnabled(process.stderr),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,component',
    messageFormat: '{if component}{component}: {end}{msg}',
  })
}

/**
 * A `Logger` over `base()` with `bindings` on every line. Children merge their bindings into these (a child's
 * `component` replaces its parent's instead of repeating the key), and follow `base()` when it changes.
 */
function bound(base: () => PinoLogger, bindings: Fields): Logger {
  let cached: { base: PinoLogger; logger: PinoLogger } | undefined
  const current = (): PinoLogger => {
    const b = base()
    if (cached?.base !== b) cached = { base: b, logger: Object.keys(bindings).length ? b.child(cleanValue(bindings) as Fields) : b }
    return cached.logger
  }
  const at = (level: Exclude<LogLevel, 'silent'>) => (message: string, data?: Fields) => {
    const p = current()
    if (data && Object.keys(data).length) p[level](data, message)
    else p[level](message)
  }
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: (more) => bound(base, { ...bindings, ...more }),
  }
}

let root: PinoLogger | undefined

/**
 * (Re)configures the process's root logger; loggers from `getLogger` follow it. The CLI calls this once with
 * GONDOLA_LOG_LEVEL before a command runs; until then the root logs at `info`.
 *
 * @example
 * ```ts
 * configureLogging({ level: readEnv().GONDOLA_LOG_LEVEL })
 * ```
 */
export function configureLogging(o: { level: LogLevel; write?: ((line: string) => void) | undefined; pretty?: boolean | undefined }): void {
  root = createPino(o.level, o.write, { pretty: o.pretty })
}

/**
 * A child of the root logger for one module: every line carries `component` (and any other `bindings`).
 * Safe to call at import time: it follows a later `configureLogging`.
 *
 * @example
 * ```ts
 * const log = getLogger('wallet')
 * log.info('swap confirmed', { hash: '0xab…', agent: 'treasurer' })
 * ```
 */
export function getLogger(component: string, bindings: Fields = {}): Logger {
  return bound(() => (root ??= createPino('info', undefined, {})), { component, ...bindings })
}
