/**
 * Venice HTTP failures, one class per status, built by a single `generate(status, body, headers)`.
 *
 * Modelled on openai-node's `APIError.generate`. Every class extends Gondola's `BaseError`, and carries the
 * status, the response headers, the request id (`CF-RAY`) and the server's own message. API keys never appear:
 * messages are built from the response body only, and `redactSecrets` scrubs anything key-shaped.
 */
import OpenAI from 'openai'
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { BaseError } from '../errors/BaseError.js'
import { isNetworkError } from '../errors/networkError.js'
import { publicText } from '../util/publicError.js'

/** Header bag accepted everywhere in `src/venice/`: fetch `Headers` or a plain object. */
export type HeadersLike = Headers | Record<string, string | undefined> | undefined

/** Reads one header case-insensitively from either shape. */
export function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (!headers) return undefined
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(headers as Record<string, string | undefined>)) if (k.toLowerCase() === lower) return v
  return undefined
}

/** Replaces anything that looks like a credential (bearer token, API key, URL secret): the one boundary's `publicText`. */
export function redactSecrets(text: string): string {
  return publicText(text)
}

/** Parameters shared by every `VeniceAPIError`. */
export type VeniceAPIErrorParameters = {
  status: number | undefined
  headers?: HeadersLike
  body?: unknown
  cause?: unknown
}

/** Base of every Venice HTTP failure. `status` is undefined for connection failures. */
export class VeniceAPIError extends BaseError {
  override name: string = 'VeniceAPIError'
  readonly status: number | undefined
  readonly headers: HeadersLike
  /** The parsed response body (`{ error, details }` on Venice). */
  readonly body: unknown
  /** Venice's request id, from `CF-RAY` (or `x-request-id`). */
  readonly requestId: string | undefined
  /** The server's own message (`body.error`), when it sent one. */
  readonly serverMessage: string | undefined

  constructor(shortMessage: string, p: VeniceAPIErrorParameters) {
    const requestId = headerValue(p.headers, 'cf-ray') ?? headerValue(p.headers, 'x-request-id')
    const serverMessage = serverMessageOf(p.body)
    const details = detailsOf(p.body)
    super(redactSecrets(shortMessage), {
      cause: p.cause,
      details: details ? redactSecrets(details) : undefined,
      metaMessages: [
        // The first line is what the CLI prints under the error: for a refused key, what to do about it.
        ...(p.status === 401 ? [REFUSED_KEY_HINT] : []),
        ...(p.status !== undefined ? [`Status: ${p.status}`] : []),
        ...(requestId ? [`Request id: ${requestId}`] : []),
      ],
      code: p.status !== undefined ? `VENICE_HTTP_${p.status}` : 'VENICE_CONNECTION',
    })
    this.status = p.status
    this.headers = p.headers
    this.body = p.body
    this.requestId = requestId
    this.serverMessage = serverMessage !== undefined ? redactSecrets(serverMessage) : undefined
  }
}

/** What an operator does about a 401: the usual causes, and the one command that mends them. */
export const REFUSED_KEY_HINT =
  'The API key was refused: it was revoked or expired, or the devnet/emulator was restarted (it forgets every key). Run `gondola provision` to mint new keys.'

/** 400: the request was invalid (`details` names the fields). */
export class BadRequestError extends VeniceAPIError {
  override name = 'BadRequestError' as const
}
/** 401: missing, invalid or revoked API key. */
export class AuthenticationError extends VeniceAPIError {
  override name = 'AuthenticationError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}
/** 402: insufficient balance, or the key is over its consumption limit. */
export class InsufficientBalanceError extends VeniceAPIError {
  override name: string = 'InsufficientBalanceError'
  override exitCode: ExitCodeValue = ExitCode.funds
}
/**
 * 402 to a SIWX-authenticated (x402) request: the wallet's USDC credits are short (`X402InferencePaymentRequired`,
 * `reason: 'insufficient_balance'`), or the request carried no authentication at all (the discovery body with
 * `x402Version` and `accepts`). The host's funding path tops up the credits (`gondola x402 topup`) and retries.
 */
export class X402PaymentRequiredError extends InsufficientBalanceError {
  override name = 'X402PaymentRequiredError' as const
  /** The credits left, in USD, when Venice said so. */
  readonly currentBalanceUsd: number | undefined
  /** The least top-up Venice accepts, in USD ($5 by the spec). */
  readonly minimumTopUpUsd: number | undefined
  /** What Venice suggests topping up, in USD. */
  readonly suggestedTopUpUsd: number | undefined
  constructor(shortMessage: string, p: VeniceAPIErrorParameters) {
    super(shortMessage, p)
    const b = (p.body && typeof p.body === 'object' ? p.body : {}) as Record<string, unknown>
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
    this.currentBalanceUsd = num(b.currentBalanceUsd)
    this.minimumTopUpUsd = num(b.minimumTopUpUsd)
    this.suggestedTopUpUsd = num(b.suggestedTopUpUsd)
  }
}
/** Where a 402's whole body is kept, on its `Headers` (the openai SDK keeps only `body.error`, which loses the x402 fields). */
const KEPT_BODY = Symbol('gondola.x402Body')

/**
 * Keeps a 402 response's JSON body on its headers, so `toVeniceError` can build an `X402PaymentRequiredError` with
 * the balance and the minimum top-up from it. The client's fetch calls it for every 402 (a clone is read).
 *
 * @example
 * ```ts
 * if (res.status === 402) await keep402Body(res)
 * ```
 */
export async function keep402Body(res: Response): Promise<void> {
  try {
    ;(res.headers as Headers & { [KEPT_BODY]?: unknown })[KEPT_BODY] = await res.clone().json()
  } catch {
    // not JSON: the SDK's own error stands
  }
}

function keptBodyOf(headers: HeadersLike): unknown {
  return headers && typeof headers === 'object' ? (headers as { [KEPT_BODY]?: unknown })[KEPT_BODY] : undefined
}

/** Whether a 402 body is one of the spec's `X402InferencePaymentRequired` shapes. */
function isX402Body(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false
  const b = body as Record<string, unknown>
  return b.code === 'PAYMENT_REQUIRED' || (typeof b.x402Version === 'number' && Array.isArray(b.accepts))
}
/** 403: the key may not use this endpoint or model. */
export class PermissionDeniedError extends VeniceAPIError {
  override name = 'PermissionDeniedError' as const
}
/** 404: unknown model, key, character… */
export class NotFoundError extends VeniceAPIError {
  override name = 'NotFoundError' as const
}
/** 409: conflict (retried). */
export class ConflictError extends VeniceAPIError {
  override name = 'ConflictError' as const
}
/** 429: rate limited (RPM/RPD/TPM, or the failed-requests breaker). */
export class RateLimitError extends VeniceAPIError {
  override name = 'RateLimitError' as const
}
/** 5xx: inference failed (500), model at capacity (503), timeout (504). */
export class InternalServerError extends VeniceAPIError {
  override name = 'InternalServerError' as const
  override exitCode: ExitCodeValue = ExitCode.network
}
/** Any other non-2xx status (408, 410, 413, 415, …). */
export class UnexpectedStatusError extends VeniceAPIError {
  override name = 'UnexpectedStatusError' as const
}
/** The request never got a response (DNS, refused, reset, timeout). */
export class APIConnectionError extends VeniceAPIError {
  override name = 'APIConnectionError' as const
  override exitCode: ExitCodeValue = ExitCode.network
  constructor(p: { message?: string; cause?: unknown } = {}) {
    super(p.message ?? 'Connection to the Venice API failed.', { status: undefined, cause: p.cause })
  }
}
/**
 * The server answered with a redirect (3xx). Venice's API never redirects, so Gondola does not follow one: following
 * would re-send the request body, and on the same origin the key, to wherever the `Location` points. Usually the base
 * URL is wrong (`http://` for `https://`, or a missing `/api/v1`). Not retried.
 */
export class UnexpectedRedirectError extends VeniceAPIError {
  override name = 'UnexpectedRedirectError' as const
  override exitCode: ExitCodeValue = ExitCode.config
  constructor(p: { path: string; cause?: unknown }) {
    super(
      `The Venice API answered ${p.path} with a redirect, which it never does; Gondola does not follow it. Check VENICE_API_BASE_URL (or the baseURL passed in): it is normally https://api.venice.ai/api/v1.`,
      { status: undefined, cause: p.cause },
    )
  }
}
/** The caller aborted the request with its `AbortSignal`. */
export class APIUserAbortError extends VeniceAPIError {
  override name = 'APIUserAbortError' as const
  constructor(p: { cause?: unknown } = {}) {
    super('Request was aborted.', { status: undefined, cause: p.cause })
  }
}
/** A 2xx response whose body does not match the documented schema. */
export class InvalidResponseError extends BaseError {
  override name = 'InvalidResponseError' as const
}

/**
 * Builds the error class for an HTTP status. The single place statuses map to classes.
 *
 * @example
 * ```ts
 * const err = generate(402, { error: 'Insufficient balance' }, new Headers({ 'cf-ray': 'abc' }))
 * err instanceof InsufficientBalanceError // true
 * err.requestId // 'abc'
 * ```
 */
export function generate(status: number | undefined, body: unknown, headers: HeadersLike, cause?: unknown): VeniceAPIError {
  if (status === undefined) return new APIConnectionError({ cause })
  const p: VeniceAPIErrorParameters = { status, headers, body, cause }
  const msg = `${status} ${serverMessageOf(body) ?? defaultMessage(status)}`
  switch (status) {
    case 400:
      return new BadRequestError(msg, p)
    case 401:
      return new AuthenticationError(msg, p)
    case 402:
      return isX402Body(body) ? new X402PaymentRequiredError(msg, p) : new InsufficientBalanceError(msg, p)
    case 403:
      return new PermissionDeniedError(msg, p)
    case 404:
      return new NotFoundError(msg, p)
    case 409:
      return new ConflictError(msg, p)
    case 429:
      return new RateLimitError(msg, p)
    default:
      return status >= 500 ? new InternalServerError(msg, p) : new UnexpectedStatusError(msg, p)
  }
}

/**
 * Converts an error thrown by the `openai` SDK (or anything else) into Gondola's Venice error family.
 * Non-HTTP errors that are already Gondola errors pass through unchanged.
 *
 * @example
 * ```ts
 * try { await openai.chat.completions.create(params) } catch (e) { throw toVeniceError(e) }
 * ```
 */
export function toVeniceError(err: unknown): VeniceAPIError | BaseError {
  if (err instanceof BaseError) return err
  if (err && typeof err === 'object') {
    // A verdict of our own fetch wrapper (a refused redirect) reaches us wrapped in the SDK's connection error: it is no network fault.
    const cause = (err as { cause?: unknown }).cause
    if (cause instanceof UnexpectedRedirectError) return cause
    const e = err as { name?: string; status?: unknown; error?: unknown; headers?: HeadersLike }
    if (err instanceof OpenAI.APIUserAbortError || e.name === 'APIUserAbortError' || e.name === 'AbortError') return new APIUserAbortError({ cause: err })
    if (typeof e.status === 'number') return generate(e.status, (e.status === 402 && keptBodyOf(e.headers)) || e.error, e.headers, err)
    // The SDK's connection errors carry `name === 'Error'` (its classes don't set one): recognise them by class.
    if (isNetworkError(err)) return new APIConnectionError({ message: connectionMessage(err), cause: err })
  }
  return new BaseError('Unexpected error calling Venice.', { cause: err })
}

function connectionMessage(err: unknown): string {
  const timeout = err instanceof OpenAI.APIConnectionTimeoutError || (err as { name?: unknown }).name === 'TimeoutError'
  return timeout ? 'The Venice API did not answer in time.' : 'Connection to the Venice API failed.'
}

function serverMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.length > 0 && body.length < 500 ? body : undefined
  if (body && typeof body === 'object') {
    const b = body as { error?: unknown; message?: unknown }
    if (typeof b.error === 'string') return b.error
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string')
      return (b.error as { message: string }).message
    if (typeof b.message === 'string') return b.message
  }
  return undefined
}

function detailsOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'details' in body && (body as { details?: unknown }).details !== undefined) {
    try {
      return JSON.stringify((body as { details: unknown }).details)
    } catch {
      return undefined
    }
  }
  return undefined
}

function defaultMessage(status: number): string {
  const known: Record<number, string> = {
    400: 'Bad request',
    401: 'Authentication failed',
    402: 'Insufficient balance',
    403: 'Forbidden',
    404: 'Not found',
    408: 'Request timeout',
    409: 'Conflict',
    410: 'Gone',
    413: 'Payload too large',
    415: 'Unsupported media type',
    429: 'Rate limit exceeded',
    500: 'Inference failed',
    503: 'Model at capacity',
    504: 'Timeout',
  }
  return known[status] ?? 'Request failed'
}
