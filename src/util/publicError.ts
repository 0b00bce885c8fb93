/**
 * THE boundary every error crosses to leave the process. The CLI's error line and `--json` error, the model's tool
 * results, MCP tool results and resources, the dashboard API, log lines and telemetry span events all turn an
 * error into text here, and nowhere else: one line, the same words everywhere, with credentials removed by the
 * project's one redaction (`redact.ts`: URL userinfo, query values and provider-key path segments such as Alchemy's
 * `/v2/<key>`, bearer tokens, API keys, and the RPC URL secrets registered at configuration).
 *
 * Results that are not errors (a tool's JSON, `--json` output) go through `publicText` / `publicValue`, the same
 * redaction.
 */
import { BaseError } from '../errors/BaseError.js'
import { exitCodeOf } from '../errors/exitCodeOf.js'
import type { ExitCodeValue } from '../errors/exitCodes.js'
import { redactDeep, redactText, redactUrl } from './redact.js'

/** An error as it may be shown outside the process. Every string is one line and redacted. */
export type PublicError = {
  name: string
  /** The stable code (`POLICY_MAX_PER_SWAP`, …) of our errors. */
  code: string | undefined
  /** One line: the short message (a failed request names its URL, credentials stripped). */
  message: string
  /** The first "what to do" line, when the error has one. */
  hint: string | undefined
  /** The process exit class (see `exitCodes.ts`). */
  exitCode: ExitCodeValue
}

/**
 * An error for any surface: name, code, one redacted line, a hint, and its exit class.
 *
 * @example
 * ```ts
 * publicError(new HttpRequestError({ url: 'https://base-mainnet.g.alchemy.com/v2/AbC123dEf456gHi789jKl0', status: 401 }))
 * // { name: 'HttpRequestError', message: 'HTTP request failed. https://base-mainnet.g.alchemy.com/v2/*** (Status: 401)', exitCode: 5, … }
 * ```
 */
export function publicError(err: unknown): PublicError {
  return {
    name: err instanceof Error ? err.name : 'Error',
    code: typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined,
    message: redactText(oneLine(err)),
    hint: err instanceof BaseError && err.metaMessages[0] ? redactText(flat(err.metaMessages[0])) : undefined,
    exitCode: exitCodeOf(err),
  }
}

/**
 * An error as one line for a model or an MCP client: the short message, the code, and every "what to do" line,
 * redacted. What the agent loop sends back as a tool result and MCP returns as a tool error.
 *
 * @example
 * ```ts
 * describeError(new PolicyViolationError('Swap of 2 ETH exceeds the 0.5 ETH cap.', { code: 'POLICY_MAX_PER_SWAP' }))
 * // 'Swap of 2 ETH exceeds the 0.5 ETH cap. (code POLICY_MAX_PER_SWAP)'
 * ```
 */
export function describeError(err: unknown): string {
  const text = err instanceof BaseError ? [err.shortMessage, err.code ? `(code ${err.code})` : '', ...err.metaMessages].filter(Boolean).join(' ') : oneLine(err)
  return redactText(flat(text))
}

/**
 * An error as a span event (`span.recordException`): its name and one redacted line, never a stack or a URL key.
 *
 * @example
 * ```ts
 * span.recordException(spanException(err))
 * ```
 */
export function spanException(err: unknown): { name: string; message: string } {
  const e = publicError(err)
  return { name: e.name, message: e.message }
}

/**
 * Free text for any surface (a tool result, a resource, a `--json` line), redacted.
 *
 * @example
 * ```ts
 * publicText('GET https://u:p@rpc.example/v2/AbC123dEf456gHi789jKl0') // 'GET https://***@rpc.example/v2/***'
 * ```
 */
export function publicText(text: string): string {
  return redactText(text)
}

/**
 * Every string inside a JSON-able value, redacted (`--json` output, tool results).
 *
 * @example
 * ```ts
 * publicValue({ rpc: 'https://u:p@host/' }) // { rpc: 'https://***@host/' }
 * ```
 */
export function publicValue<T>(value: T): T {
  return redactDeep(value)
}

/** One line for any error: ours carry `shortMessage`; viem's too (plus `details`); others their first line. A failed request names its URL. */
function oneLine(err: unknown): string {
  if (err instanceof BaseError) return err.shortMessage
  const e = err as { shortMessage?: unknown; details?: unknown; message?: unknown }
  if (typeof e?.shortMessage === 'string') {
    const url = urlInChain(err)
    const where = url && !e.shortMessage.includes(url) ? ` ${url}` : ''
    return flat(`${e.shortMessage}${where}${typeof e.details === 'string' && e.details ? ` (${e.details})` : ''}`)
  }
  return String(typeof e?.message === 'string' ? e.message : err).split('\n')[0]!
}

/** The `url` of the first error in the cause chain that has one (viem's HttpRequestError, TimeoutError…), redacted. */
function urlInChain(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const url = (e as { url?: unknown }).url
    if (typeof url === 'string') return redactUrl(url)
  }
  return undefined
}

const flat = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim()
