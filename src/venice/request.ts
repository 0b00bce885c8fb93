import type { z } from 'zod'
import { withRetries } from '../util/retry.js'
import { APIConnectionError, APIUserAbortError, generate, InvalidResponseError, redactSecrets, UnexpectedRedirectError, VeniceAPIError } from './errors.js'
import { parseVeniceHeaders } from './headers.js'

/** Minimal logger: anything with `debug`/`warn` (console works). Never receives an API key. */
export type VeniceLogger = { debug?: (msg: string, data?: Record<string, unknown>) => void; warn?: (msg: string, data?: Record<string, unknown>) => void }

/** Transport settings shared by every REST call of one client. */
export type Transport = {
  baseURL: string
  apiKey: string | undefined
  fetch: typeof fetch
  maxRetries: number
  logger: VeniceLogger | undefined
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  now: () => number
  /** A request (headers and body) that takes longer is abandoned as a connection failure (and retried). */
  timeoutMs?: number | undefined
}

/** One REST call. `auth: false` sends no Authorization header (the web3 key endpoints). */
export type RequestSpec<T> = {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH'
  path: string
  query?: Record<string, string | number | boolean | undefined> | undefined
  body?: unknown
  schema?: z.ZodType<T> | undefined
  auth?: boolean | undefined
  /** `binary` returns the raw bytes (audio). */
  binary?: boolean | undefined
  signal?: AbortSignal | undefined
  /** Non-idempotent calls (key creation) are retried on connection errors only if this is true. */
  retry?: boolean | undefined
  /** Extra request headers (the x402 `PAYMENT-SIGNATURE`). */
  headers?: Record<string, string> | undefined
}

/** A parsed response with its headers. */
export type WithHeaders<T> = { data: T; headers: Headers; status: number }

/**
 * Sends one request with retries (408/409/429/5xx/connection; `retry-after-ms`, `Retry-After`,
 * `x-ratelimit-reset-requests`, else 0.5→8 s exponential with jitter), maps failures through `generate`,
 * and validates the body with the spec's zod schema.
 *
 * @example
 * ```ts
 * const { data } = await request(transport, { method: 'GET', path: '/models', schema: modelListSchema })
 * ```
 */
export async function request<T>(t: Transport, spec: RequestSpec<T>): Promise<WithHeaders<T>> {
  const url = buildUrl(t.baseURL, spec.path, spec.query)
  try {
    return await withRetries(() => attempt(t, spec, url), {
      maxRetries: spec.retry === false ? 0 : t.maxRetries,
      // An answer with a status, or none at all; never our own verdict on an answer (a redirect, a bad body).
      classify: (err) =>
        err instanceof APIConnectionError
          ? { status: undefined }
          : err instanceof VeniceAPIError && err.status !== undefined
            ? { status: err.status, headers: err.headers, resetAtMs: resetAtOf(err, t.now()) }
            : undefined,
      signal: spec.signal,
      sleep: t.sleep,
      now: t.now,
      onRetry: ({ attempt: n, delayMs, status, error }) => {
        // A wait a person would notice (≥ 1 s, e.g. a 429's Retry-After) is reported at warn, saying what it waits for.
        const fields = { path: spec.path, status, attempt: n, delayMs, error: (error as Error).name }
        if (delayMs >= 1_000) t.logger?.warn?.(`waiting ${Math.round(delayMs / 1000)} s to retry the Venice request`, fields)
        else t.logger?.debug?.('venice: retrying', fields)
      },
    })
  } catch (cause) {
    if (spec.signal?.aborted && !(cause instanceof APIUserAbortError)) throw new APIUserAbortError({ cause })
    throw cause
  }
}

/** One try: the parsed body, or a typed failure (`generate` for a status, `APIConnectionError` for no answer). */
async function attempt<T>(t: Transport, spec: RequestSpec<T>, url: string): Promise<WithHeaders<T>> {
  let res: Response
  try {
    res = await t.fetch(url, init(t, spec))
    if (res.ok) return { data: await parseBody(res, spec), headers: res.headers, status: res.status }
  } catch (cause) {
    if (spec.signal?.aborted) throw new APIUserAbortError({ cause })
    // Whatever fetch rejects with is a network failure (fetch's TypeError, a timeout), and so is a reset while the
    // body is read (undici's "terminated"); only our own verdict on a complete body is not.
    if (cause instanceof InvalidResponseError || cause instanceof UnexpectedRedirectError) throw cause
    throw new APIConnectionError({ message: `Connection to ${spec.method} ${spec.path} failed.`, cause: scrub(cause) })
  }
  throw generate(res.status, await readErrorBody(res), res.headers)
}

/** A 429's `x-ratelimit-reset-requests`: Venice's own word on when the window reopens. */
function resetAtOf(err: VeniceAPIError, now: number): number | undefined {
  return err.status === 429 && err.headers ? parseVeniceHeaders(err.headers, now).resetRequestsAtMs : undefined
}

function init<T>(t: Transport, spec: RequestSpec<T>): RequestInit {
  const headers: Record<string, string> = { accept: spec.binary ? '*/*' : 'application/json' }
  if (spec.auth !== false && t.apiKey) headers.authorization = `Bearer ${t.apiKey}`
  if (spec.body !== undefined) headers['content-type'] = 'application/json'
  if (spec.headers) Object.assign(headers, spec.headers)
  return {
    method: spec.method,
    headers,
    ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
    // The caller's signal aborts for good; the timeout only abandons this attempt (a connection failure, retried).
    signal: spec.signal ? AbortSignal.any([spec.signal, AbortSignal.timeout(t.timeoutMs ?? 180_000)]) : AbortSignal.timeout(t.timeoutMs ?? 180_000),
  }
}

function buildUrl(baseURL: string, path: string, query: RequestSpec<unknown>['query']): string {
  const url = new URL(baseURL.replace(/\/+$/, '') + path)
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
  return url.toString()
}

async function parseBody<T>(res: Response, spec: RequestSpec<T>): Promise<T> {
  if (spec.binary) return new Uint8Array(await res.arrayBuffer()) as T
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : {}
  } catch (cause) {
    throw new InvalidResponseError(`${spec.method} ${spec.path} returned non-JSON.`, { cause, details: text.slice(0, 200) })
  }
  if (!spec.schema) return json as T
  const parsed = spec.schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidResponseError(`${spec.method} ${spec.path} returned an unexpected body.`, {
      details: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : parsed.error.message,
      code: 'VENICE_INVALID_RESPONSE',
    })
  }
  return parsed.data
}

async function readErrorBody(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '')
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Connection errors may echo request options; keep only the message, scrubbed. */
function scrub(cause: unknown): Error {
  const msg = cause instanceof Error ? cause.message : String(cause)
  return new Error(redactSecrets(msg))
}
