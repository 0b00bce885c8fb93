import { z } from 'zod'
import { InvalidKeyRequestError } from './errors.js'
import { apiKeyTypeSchema, consumptionLimitSchema, limitPeriodSchema } from './keyStoreSchema.js'

/** What a caller asks for when minting a key. Validated before anything is signed or sent. */
export const keyRequestSchema = z
  .object({
    apiKeyType: apiKeyTypeSchema,
    description: z.string().min(1).max(40, "must be at most 40 characters (Gondola appends a 22-character attempt tag within Venice's 64)"),
    consumptionLimit: consumptionLimitSchema.optional(),
    limitPeriod: limitPeriodSchema.optional(),
    /** ISO date (`2026-12-31`) or date-time (`2026-12-31T00:00:00Z` / with milliseconds). */
    expiresAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{3})?Z)?$/, 'must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ')
      // `2026-13-45` matches the pattern; only a round trip through Date shows it is no day at all.
      .refine(
        (s) => Number.isFinite(Date.parse(s)) && new Date(Date.parse(s)).toISOString().slice(0, 19).startsWith(s.slice(0, 19)),
        'must be a real calendar date',
      )
      .optional(),
  })
  .strict()

export type KeyRequest = z.infer<typeof keyRequestSchema>

/**
 * Validates a key request, with a message naming the field and what to fix.
 *
 * @example
 * ```ts
 * parseKeyRequest({ apiKeyType: 'INFERENCE', description: 'treasurer', consumptionLimit: { diem: 2 }, limitPeriod: 'EPOCH' }, Date.now())
 * ```
 */
export function parseKeyRequest(input: unknown, now: number): KeyRequest {
  const parsed = keyRequestSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InvalidKeyRequestError(`Invalid key request: ${issue.path.join('.') || 'request'} ${issue.message}.`, { code: 'KEY_REQUEST_INVALID' })
  }
  const request = parsed.data
  if (request.expiresAt && Date.parse(request.expiresAt) <= now) {
    throw new InvalidKeyRequestError(`Invalid key request: expiresAt ${request.expiresAt} is in the past.`, { metaMessages: ['Pick a future date.'] })
  }
  if (request.apiKeyType === 'INFERENCE' && request.consumptionLimit?.diem == null && request.consumptionLimit?.usd == null) {
    // Least privilege: agents never get an unlimited key by accident.
    throw new InvalidKeyRequestError('Invalid key request: an INFERENCE key needs a consumption limit (diem or usd).', {
      metaMessages: ['Pass consumptionLimit: { diem: N } (CLI: --diem N).'],
    })
  }
  return request
}

/** Venice's description field (max 64) carries the caller's description plus an attempt tag used to reconcile crashes. */
export function taggedDescription(description: string, attemptId: string): string {
  return `${description} [gondola:${attemptId}]`
}

/** The attempt id inside a tagged description, if any. */
export function attemptIdOf(description: string): string | undefined {
  return /\[gondola:([0-9a-f]{12})\]$/.exec(description)?.[1]
}
