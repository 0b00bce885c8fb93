/**
 * The only module that reads `process.env`. Everything else receives a typed `Config`.
 *
 * Values come from the process environment, with `.env` (via dotenv) filling the gaps.
 * Every variable is documented in `.env.example`; a bad value fails fast with a
 * `ConfigError` naming the variable.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { config as loadDotenv } from 'dotenv'
import { z } from 'zod'
import { ConfigError } from './ConfigError.js'

/** A sanity bound on the autopilot's target: far above any agent's use, far below an order-of-magnitude typo. */
export const AUTOPILOT_MAX_TARGET_DIEM_PER_DAY = 100_000
const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal number such as "0.05"')
const optionalUrl = z.url({ protocol: /^https?$/ }).optional()
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

/** Schema of every environment variable Gondola understands, with defaults. */
export const envSchema = z.object({
  GONDOLA_NETWORK: z.enum(['devnet', 'base']).default('devnet'),
  GONDOLA_STATE_DIR: z.string().min(1).default('.gondola'),
  /** Per-user wallet data (journal, lock, daily spend) keyed by address, shared by every state dir. Default: `defaultDataDir()`. */
  GONDOLA_DATA_DIR: z.string().min(1).optional(),
  GONDOLA_LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  BASE_RPC_URL: optionalUrl,
  DEVNET_RPC_URL: optionalUrl,
  GONDOLA_AGENTS_DIR: z.string().min(1).optional(),
  GONDOLA_KEYSTORE: z.string().min(1).optional(),
  GONDOLA_KEYSTORE_PASSWORD: z.string().min(1).optional(),
  GONDOLA_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex characters')
    .optional(),
  // Venice's API lives under /api/v1: a bare origin would answer every call with a 404 that names nothing.
  VENICE_API_BASE_URL: optionalUrl.refine(
    (v) => v === undefined || /\/api\/v1\/?$/.test(new URL(v).pathname),
    'must end with /api/v1 (e.g. https://api.venice.ai/api/v1)',
  ),
  VENICE_ADMIN_API_KEY: z.string().min(8).optional(),
  GONDOLA_CHANNEL: z
    .string()
    .regex(
      /^(outbox|webhook|nostr|bluesky)(,(outbox|webhook|nostr|bluesky))*$/,
      'must be outbox, webhook, nostr or bluesky, or a comma-separated list of them (e.g. "bluesky,nostr")',
    )
    .default('outbox')
    .transform((v) => [...new Set(v.split(','))] as ('outbox' | 'webhook' | 'nostr' | 'bluesky')[]),
  GONDOLA_BLUESKY_SERVICE: z.url({ protocol: /^https?$/ }).default('https://bsky.social'),
  GONDOLA_BLUESKY_HANDLE: z
    .string()
    .regex(/^[a-zA-Z0-9.-]+\.[a-zA-Z0-9-]+$/, 'must be a handle such as "marco.bsky.social" (no @)')
    .optional(),
  GONDOLA_BLUESKY_APP_PASSWORD: z.string().min(1).optional(),
  GONDOLA_BLUESKY_APP_PASSWORD_FILE: z.string().min(1).optional(),
  GONDOLA_SOCIAL_BUDGET_DIEM_PER_DAY: z.coerce.number().positive().optional(),
  GONDOLA_SOCIAL_EVERY_SECONDS: z.coerce.number().positive().max(31_536_000).default(21_600),
  GONDOLA_WEBHOOK_URL: optionalUrl,
  GONDOLA_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  GONDOLA_WEBHOOK_SECRET_FILE: z.string().min(1).optional(),
  GONDOLA_WEBHOOK_FORMAT: z.enum(['json', 'discord', 'slack']).default('json'),
  GONDOLA_NOSTR_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
    .optional(),
  GONDOLA_NOSTR_SECRET_KEY_FILE: z.string().min(1).optional(),
  GONDOLA_NOSTR_RELAYS: z
    .string()
    .regex(/^wss?:\/\/\S+(,wss?:\/\/\S+)*$/, 'must be comma-separated ws:// or wss:// URLs')
    .optional(),
  GONDOLA_POLICY_MAX_ETH_PER_SWAP: decimalString.default('0.05'),
  GONDOLA_POLICY_MAX_ETH_PER_DAY: decimalString.default('0.2'),
  GONDOLA_POLICY_MAX_SLIPPAGE_BPS: z.coerce.number().int().min(1).max(1000).default(50),
  /** x402: the most USDC one top-up may pay. */
  GONDOLA_POLICY_MAX_USDC_PER_TOPUP: decimalString.default('20'),
  /** x402: the most USDC the wallet may sign over per UTC day. */
  GONDOLA_POLICY_MAX_USDC_PER_DAY: decimalString.default('50'),
  /** x402: the payees (comma-separated addresses) a top-up may pay: Venice's receiver, or the emulator's. None by default. */
  GONDOLA_X402_PAYEES: z
    .string()
    .regex(/^\s*(0x[0-9a-fA-F]{40}(\s*,\s*0x[0-9a-fA-F]{40})*)?\s*$/, 'must be comma-separated 0x addresses (the x402 receivers you trust)')
    .default('')
    .transform(
      (v) =>
        v
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean) as `0x${string}`[],
    ),
  GONDOLA_FUNDING_MIN_RUNWAY_HOURS: z.coerce.number().positive().default(24),
  GONDOLA_FUNDING_TOPUP_ETH: decimalString.default('0.01'),
  /** x402 (`--pay x402`): USD of credits bought per automatic top-up (Venice's minimum is 5). */
  GONDOLA_FUNDING_TOPUP_USD: decimalString.default('5'),
  GONDOLA_FUNDING_COOLDOWN_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** The rail top-ups are made on: diem (stake), x402 (USDC credits) or auto (the cheaper, as the planner prices them). */
  GONDOLA_FUNDING_RAIL: z.enum(['diem', 'x402', 'auto'], { error: "must be 'diem', 'x402' or 'auto'" }).default('diem'),
  GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY: decimalString
    .refine((v) => Number(v) > 0, 'must be more than 0 Diem per day, such as "1.5" (to stop the autopilot, do not schedule it)')
    .refine((v) => Number(v) <= AUTOPILOT_MAX_TARGET_DIEM_PER_DAY, `must be at most ${AUTOPILOT_MAX_TARGET_DIEM_PER_DAY} Diem per day`)
    .default('1'),
  GONDOLA_AUTOPILOT_MIN_STAKED_DIEM: decimalString.default('0.1'),
  GONDOLA_MCP_TOKEN: z.string().min(24, 'must be at least 24 characters (it guards a server that moves money)').optional(),
  /** `gondola mcp`: the most Diem per period a key minted through MCP may spend. */
  GONDOLA_MCP_MAX_KEY_DIEM: z.coerce.number().positive().max(1_000_000).default(5),
  /** `gondola mcp`: the limit periods a key minted through MCP may have (comma-separated). */
  GONDOLA_MCP_KEY_PERIODS: z
    .string()
    .regex(/^(EPOCH|MONTH|LIFETIME)(,(EPOCH|MONTH|LIFETIME))*$/, 'must be EPOCH, MONTH or LIFETIME, or a comma-separated list of them (e.g. "EPOCH,MONTH")')
    .default('EPOCH,MONTH')
    .transform((v) => [...new Set(v.split(','))] as ('EPOCH' | 'MONTH' | 'LIFETIME')[]),
  GONDOLA_AUTOPILOT_MIN_CLAIM_VVV: decimalString.default('1'),
  /** Days over which the autopilot counts the VVV staking yield that minting DIEM gives up (0: shown, not counted). */
  GONDOLA_AUTOPILOT_HORIZON_DAYS: z.coerce.number().min(0).max(3650).default(0),
  /** Fleet mode: state in Postgres and runs through its job queue. Unset: the embedded file-based default. */
  GONDOLA_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  /** Fleet mode: a run still active after this long (its worker died) fails and is retried on another worker. */
  GONDOLA_FLEET_RUN_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(86_399).default(900),
  /** Fleet mode: how many times a failed or timed-out run is retried. */
  GONDOLA_FLEET_RUN_RETRIES: z.coerce.number().int().min(0).max(20).default(2),
  /**
   * Fleet mode: seals the INFERENCE keys in the Postgres key store. Every worker gets it; the ADMIN key stays
   * sealed under GONDOLA_KEYSTORE_PASSWORD, which only the treasury holds.
   */
  GONDOLA_FLEET_SECRET: z.string().min(16, "must be at least 16 characters (it seals the agents' API keys)").optional(),
  OTEL_SDK_DISABLED: bool.default(false),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_METRICS_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: optionalUrl,
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().min(100).default(60_000),
  VENICE_EMULATOR_DAILY_POOL_DIEM: decimalString.default('1000'),
  VENICE_EMULATOR_USD_BALANCE: decimalString.default('0'),
  VENICE_EMULATOR_EPOCH_SECONDS: z.coerce.number().int().positive().default(86_400),
  VENICE_EMULATOR_ADMIN: bool.default(false),
  VENICE_EMULATOR_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  VENICE_EMULATOR_RATE_429: z.coerce.number().min(0).max(1).default(0),
  VENICE_EMULATOR_RATE_500: z.coerce.number().min(0).max(1).default(0),
  VENICE_EMULATOR_RATE_503: z.coerce.number().min(0).max(1).default(0),
  VENICE_EMULATOR_DROP_RATE: z.coerce.number().min(0).max(1).default(0),
  VENICE_EMULATOR_FAULT_SCOPE: z.enum(['inference', 'all']).default('inference'),
  /** `gondola devnet`: the emulator's staked-DIEM rule (Diem spendable only from this much DIEM staked; 0: off, the default). */
  VENICE_EMULATOR_MIN_STAKED_DIEM: decimalString.default('0'),
})

export type Env = z.infer<typeof envSchema>

let dotenvLoaded = false

/**
 * Parses and validates the environment.
 *
 * @param source - the variables to read; defaults to `process.env` merged with `.env`.
 * @param overrides - values that win over `source` (CLI flags such as `--network`).
 * @returns the typed, defaulted environment.
 * @throws {ConfigError} naming the first invalid variable and what it must be.
 *
 * @example
 * ```ts
 * import { readEnv } from './env.js'
 * const env = readEnv({ GONDOLA_NETWORK: 'devnet' })
 * env.GONDOLA_POLICY_MAX_SLIPPAGE_BPS // 50
 * ```
 */
export function readEnv(source?: Record<string, string | undefined>, overrides: Record<string, string | undefined> = {}): Env {
  if (!source && !dotenvLoaded) {
    loadDotenv({ quiet: true })
    dotenvLoaded = true
  }
  const raw = { ...(source ?? process.env), ...overrides }
  // Treat empty strings as unset, as `.env.example` copies leave `NAME=` lines.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''))
  if (cleaned.GONDOLA_AUTOPILOT_TARGET_DIEM !== undefined) {
    // Renamed when the target became Diem per day (pool share + staked DIEM), not staked DIEM: a stale name must not be ignored.
    throw new ConfigError('GONDOLA_AUTOPILOT_TARGET_DIEM is no longer read: the autopilot now targets Diem per day.', {
      metaMessages: ['Set GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY instead (your sVVV pool share plus staked DIEM), and remove GONDOLA_AUTOPILOT_TARGET_DIEM.'],
      code: 'CONFIG_RENAMED',
    })
  }
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const variable = String(issue.path[0] ?? 'environment')
    throw new ConfigError(`Invalid environment variable ${variable}: ${issue.message}.`, {
      metaMessages: [`Fix ${variable} in your environment or .env (see .env.example).`],
      code: 'CONFIG_INVALID',
    })
  }
  const env = parsed.data
  if (env.GONDOLA_NETWORK === 'base' && !env.BASE_RPC_URL) {
    throw new ConfigError('BASE_RPC_URL is required when GONDOLA_NETWORK=base.', {
      metaMessages: ['Set BASE_RPC_URL to a Base mainnet JSON-RPC endpoint (chain id 8453).'],
      code: 'CONFIG_MISSING',
    })
  }
  return env
}

/** True when stdout is an interactive terminal and `CI` is not set (spinners, prompts). */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI
}

/**
 * Whether to write ANSI colours to `stream`: `FORCE_COLOR` (any value but `0`/`false`) forces them,
 * `NO_COLOR` (any non-empty value, see no-color.org) or `TERM=dumb` turns them off, and otherwise only a
 * TTY gets them — never a pipe or a file.
 *
 * @example
 * ```ts
 * colorEnabled(process.stderr) // false under `gondola … 2>log.txt`
 * ```
 */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, source: Record<string, string | undefined> = process.env): boolean {
  const force = source.FORCE_COLOR
  if (force !== undefined && force !== '0' && force !== 'false') return true
  if (source.NO_COLOR) return false
  if (force === '0' || force === 'false' || source.TERM === 'dumb') return false
  return Boolean(stream.isTTY)
}

/**
 * The per-user data directory where each wallet address keeps its journal, its lock and its daily spend, shared
 * by every state dir on the machine: `GONDOLA_DATA_DIR`, else `$XDG_DATA_HOME/gondola`, else
 * `~/.local/share/gondola`. Tests point `GONDOLA_DATA_DIR` at a temp dir.
 *
 * @example
 * ```ts
 * defaultDataDir({ GONDOLA_DATA_DIR: '/tmp/g' }) // '/tmp/g'
 * defaultDataDir({ XDG_DATA_HOME: '/home/a/.data' }) // '/home/a/.data/gondola'
 * ```
 */
export function defaultDataDir(source: Record<string, string | undefined> = process.env): string {
  if (source.GONDOLA_DATA_DIR) return source.GONDOLA_DATA_DIR
  if (source.XDG_DATA_HOME) return join(source.XDG_DATA_HOME, 'gondola')
  return join(homedir(), '.local', 'share', 'gondola')
}
