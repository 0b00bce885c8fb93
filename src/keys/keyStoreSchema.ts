import { z } from 'zod'
import { apiKeyTypeSchema, limitPeriodSchema } from '../venice/schemas.js'

export { apiKeyTypeSchema, limitPeriodSchema }
export type ApiKeyType = z.infer<typeof apiKeyTypeSchema>
export type LimitPeriod = z.infer<typeof limitPeriodSchema>

/** Consumption limits as a caller may ask for them (numbers of USD / Diem per `limitPeriod`), bounded as the spec bounds them. */
export const consumptionLimitSchema = z
  .object({
    usd: z.number().min(0).max(9_999_999_999).nullable().optional(),
    diem: z.number().min(0).max(9_999_999_999).nullable().optional(),
  })
  .strict()
export type ConsumptionLimit = z.infer<typeof consumptionLimitSchema>

const sealedSchema = z.object({ iv: z.string(), tag: z.string(), ct: z.string() })

/** One kept key. `secret` is the plain key, or sealed when the store is encrypted. */
export const storedKeySchema = z.object({
  id: z.string().min(1),
  apiKeyType: apiKeyTypeSchema,
  secret: z.union([z.string(), sealedSchema]),
  last6: z.string(),
  description: z.string(),
  consumptionLimit: consumptionLimitSchema,
  limitPeriod: limitPeriodSchema.nullable(),
  expiresAt: z.string().nullable(),
  wallet: z.string(),
  /** Which API the key belongs to (origin of the base URL, e.g. `https://api.venice.ai`). */
  apiOrigin: z.string(),
  agent: z.string().optional(),
  createdAt: z.string(),
})
export type StoredKey = z.infer<typeof storedKeySchema>

/** A mint that was sent but whose answer was not yet stored: the crash window. */
export const mintAttemptSchema = z.object({
  attemptId: z.string(),
  description: z.string(),
  apiKeyType: apiKeyTypeSchema,
  wallet: z.string(),
  apiOrigin: z.string(),
  agent: z.string().optional(),
  startedAt: z.string(),
})
export type MintAttempt = z.infer<typeof mintAttemptSchema>

const encryptionSchema = z.object({ kdf: z.literal('scrypt'), salt: z.string(), N: z.number(), r: z.number(), p: z.number() })

export const keyStoreFileSchema = z.object({
  version: z.literal(1),
  /** The password-derived key's parameters (every secret in the file store; the ADMIN key in fleet mode). */
  encryption: encryptionSchema.nullable(),
  /** Fleet mode only: INFERENCE secrets are sealed under GONDOLA_FLEET_SECRET with these parameters. */
  inferenceEncryption: encryptionSchema.nullable().optional(),
  admin: z.array(storedKeySchema),
  inference: z.array(storedKeySchema),
  pending: z.array(mintAttemptSchema),
  /** Timestamps (ms) of recent creations, for the 20-per-minute limit across processes. */
  recentMints: z.array(z.number()).default([]),
})
export type KeyStoreFile = z.infer<typeof keyStoreFileSchema>
