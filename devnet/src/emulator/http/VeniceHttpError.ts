import { BaseError } from 'gondola/errors'

/**
 * An HTTP failure the emulator answers with: the status and the JSON body Venice would send
 * (`{ error }` or `{ error, details }`), plus extra headers (e.g. rate-limit resets on a 429).
 *
 * @example
 * ```ts
 * throw new VeniceHttpError(402, 'Insufficient USD or Diem balance to complete request')
 * ```
 */
export class VeniceHttpError extends BaseError {
  override name = 'VeniceHttpError' as const
  readonly status: number
  readonly body: { error?: string; details?: unknown; code?: string; [field: string]: unknown }
  readonly headers: Record<string, string>

  /** `options.body` replaces the `{ error, details, code }` body (the x402 routes' own shapes). */
  constructor(
    status: number,
    error: string,
    options: { details?: unknown; headers?: Record<string, string>; code?: string; body?: Record<string, unknown> } = {},
  ) {
    super(error, { code: `HTTP_${status}` })
    this.status = status
    this.body = options.body ?? {
      error,
      ...(options.details === undefined ? {} : { details: options.details }),
      ...(options.code ? { code: options.code } : {}),
    }
    this.headers = options.headers ?? {}
  }
}

/** The error messages the emulator uses, gathered so tests and docs quote one source. */
export const MESSAGES = {
  authFailed: 'Authentication failed',
  adminRequired: 'Authentication failed: this endpoint requires an ADMIN API key; INFERENCE keys may only call inference endpoints',
  keyExpired: 'Authentication failed: API key has expired',
  invalidRequest: 'Invalid request parameters',
  modelNotFound: 'Specified model not found',
  insufficientBalance: 'Insufficient USD or Diem balance to complete request',
  diemLimit: 'API key DIEM spend limit exceeded',
  usdLimit: 'API key USD spend limit exceeded',
  rateLimited: 'Rate limit exceeded',
  /** The docs quote "Too many failed attempts (> 20) resulting in a non-success status code. Please wait 30s…"; the tail after "30s" is ours. */
  tooManyFailures: 'Too many failed attempts (> 20) resulting in a non-success status code. Please wait 30s before trying again.',
  characterNotFound: 'No character could be found from the provided character slug',
  keyCreationLimited: 'API key creation is rate limited to 20 requests per minute',
  maxKeys: 'Maximum of 500 active API keys reached',
  inferenceFailed: 'Inference processing failed',
  atCapacity: 'The model is at capacity. Please try again later.',
  notFound: 'Not found',
  siwxMissing: 'Missing or invalid Sign-in-with-x authentication: send a SIGN-IN-WITH-X header',
  siwxWrongWallet: 'Authenticated wallet does not match the requested wallet',
} as const
