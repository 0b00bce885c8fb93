import { BaseError } from '../../errors/BaseError.js'

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
  readonly body: { error: string; details?: unknown }
  readonly headers: Record<string, string>

  constructor(status: number, error: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(error, { code: `HTTP_${status}` })
    this.status = status
    this.body = options.details === undefined ? { error } : { error, details: options.details }
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
  tooManyFailures: 'Too many failed requests. Please wait 30 seconds before retrying.',
  keyCreationLimited: 'API key creation is rate limited to 20 requests per minute',
  maxKeys: 'Maximum of 500 active API keys reached',
  inferenceFailed: 'Inference processing failed',
  atCapacity: 'The model is at capacity. Please try again later.',
  notFound: 'Not found',
} as const
