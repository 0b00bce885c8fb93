/**
 * Zod schemas for Venice's REST responses (the subset the runtime reads), from the official OpenAPI spec.
 * Unknown fields are kept out (zod strips them), missing optional fields are tolerated.
 */
import { z } from 'zod'

const nullableNumber = z.number().nullable().optional()

export const consumptionLimitSchema = z.object({ usd: nullableNumber, diem: nullableNumber, vcu: nullableNumber })
export type ConsumptionLimit = z.infer<typeof consumptionLimitSchema>

export const apiKeyTypeSchema = z.enum(['INFERENCE', 'ADMIN'])
export const limitPeriodSchema = z.enum(['EPOCH', 'MONTH', 'LIFETIME'])
export const modelPrivacySchema = z.enum(['ALL', 'PRIVATE_TEXT', 'PRIVATE_ONLY'])

/** Fields every key description shares (listed, read back, or just created). */
const keyBaseSchema = z.object({
  id: z.string(),
  apiKeyType: apiKeyTypeSchema,
  limitPeriod: limitPeriodSchema.optional(),
  modelPrivacy: modelPrivacySchema.optional(),
  expiresAt: z.string().nullable(),
  description: z.string().optional(),
})

/** One key as listed by `GET /api_keys` and `GET /api_keys/{id}` (note the plural `consumptionLimits`). */
export const apiKeySchema = keyBaseSchema.extend({
  consumptionLimits: consumptionLimitSchema,
  createdAt: z.string().nullable(),
  last6Chars: z.string(),
  lastUsedAt: z.string().nullable(),
  usage: z.object({ trailingSevenDays: z.object({ usd: z.string(), diem: z.string(), vcu: z.string().optional() }) }).optional(),
  currentPeriodUsage: z.object({ usd: z.string(), diem: z.string() }).optional(),
})
export type ApiKey = z.infer<typeof apiKeySchema>

export const apiKeyListSchema = z.object({ data: z.array(apiKeySchema), object: z.literal('list').optional() })
export const apiKeyOneSchema = z.object({ data: apiKeySchema })

/** A key as returned once, at creation (`POST /api_keys`, `POST /api_keys/generate_web3_key`). */
export const createdApiKeySchema = keyBaseSchema.extend({ apiKey: z.string(), consumptionLimit: consumptionLimitSchema })
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>
export const createdApiKeyResponseSchema = z.object({ success: z.boolean().optional(), data: createdApiKeySchema })

/** Body of `POST /api_keys` (admin-created key). */
export type CreateApiKeyBody = {
  apiKeyType: 'INFERENCE' | 'ADMIN'
  description: string
  consumptionLimit?: { usd?: number | null; diem?: number | null } | undefined
  limitPeriod?: 'EPOCH' | 'MONTH' | 'LIFETIME' | undefined
  modelPrivacy?: 'ALL' | 'PRIVATE_TEXT' | 'PRIVATE_ONLY' | undefined
  /** `YYYY-MM-DD`, ISO `…Z`, or `''` for no expiry. */
  expiresAt?: string | undefined
}

/** Body of `POST /api_keys/generate_web3_key`. */
export type Web3KeyBody = Omit<CreateApiKeyBody, 'description'> & {
  address: string
  signature: string
  token: string
  description?: string | undefined
}

export const web3TokenSchema = z.object({ success: z.boolean().optional(), data: z.object({ token: z.string() }) })
export const successSchema = z.object({ success: z.boolean() })

/** `GET /api_keys/rate_limits`. */
export const rateLimitsSchema = z.object({
  data: z.object({
    accessPermitted: z.boolean(),
    apiTier: z.object({ id: z.string(), isCharged: z.boolean() }),
    balances: z.object({ USD: z.number().optional(), DIEM: z.number().optional() }),
    keyExpiration: z.string().nullable(),
    nextEpochBegins: z.string(),
    rateLimits: z.array(
      z.object({
        apiModelId: z.string().optional(),
        rateLimits: z.array(z.object({ amount: z.number(), type: z.string() })),
      }),
    ),
  }),
})
export type RateLimits = z.infer<typeof rateLimitsSchema>['data']

/** `GET /billing/balance`: remaining Diem/USD and the epoch's total Diem allocation. */
export const billingBalanceSchema = z.object({
  canConsume: z.boolean(),
  consumptionCurrency: z.string().nullable(),
  balances: z.object({ diem: z.number().nullable(), usd: z.number().nullable() }),
  diemEpochAllocation: z.number(),
})
export type BillingBalance = z.infer<typeof billingBalanceSchema>

export const rateLimitLogSchema = z.object({
  data: z.array(
    z.object({
      apiKeyId: z.string(),
      modelId: z.string(),
      rateLimitTier: z.string(),
      rateLimitType: z.string(),
      timestamp: z.string(),
    }),
  ),
})
export type RateLimitLogEntry = z.infer<typeof rateLimitLogSchema>['data'][number]

const priceSchema = z.object({ usd: z.number(), diem: z.number() })
/** One model from `GET /models`; `pricing.input/output` are per million tokens for text models. */
export const modelSchema = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number().optional(),
  owned_by: z.string().optional(),
  model_spec: z
    .object({
      name: z.string().optional(),
      availableContextTokens: z.number().optional(),
      traits: z.array(z.string()).optional(),
      offline: z.boolean().optional(),
      privacy: z.string().optional(),
      capabilities: z.record(z.string(), z.unknown()).optional(),
      pricing: z.looseObject({ input: priceSchema.optional(), output: priceSchema.optional(), cache_input: priceSchema.optional() }).optional(),
    })
    .optional(),
})
export type VeniceModel = z.infer<typeof modelSchema>
export const modelListSchema = z.object({ data: z.array(modelSchema), object: z.string().optional(), type: z.string().optional() })
export const traitsSchema = z.object({ data: z.record(z.string(), z.string()) })

/** One character from `/characters`; `modelId` is the model to use with its `character_slug`. */
export const characterSchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable().optional(),
  modelId: z.string().optional(),
  tags: z.array(z.string()).optional(),
  adult: z.boolean().optional(),
  webEnabled: z.boolean().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
})
export type Character = z.infer<typeof characterSchema>
export const characterListSchema = z.object({ data: z.array(characterSchema) })
export const characterOneSchema = z.object({ data: characterSchema })

/** One billing ledger entry (`/billing/usage-history`, same shape as the sunset `/billing/usage`). */
export const billingEntrySchema = z.object({
  amount: z.number(),
  currency: z.enum(['USD', 'DIEM', 'BUNDLED_CREDITS', 'VCU']),
  inferenceDetails: z
    .object({
      completionTokens: z.number().nullable(),
      promptTokens: z.number().nullable(),
      inferenceExecutionTime: z.number().nullable().optional(),
      requestId: z.string(),
    })
    .nullable(),
  notes: z.string(),
  pricePerUnitUsd: z.number(),
  sku: z.string(),
  timestamp: z.string(),
  units: z.number(),
})
export type BillingEntry = z.infer<typeof billingEntrySchema>
export const billingPageSchema = z.object({ data: z.array(billingEntrySchema), nextCursor: z.string().nullable().optional() })
/** The legacy `/billing/usage` page (sunset 2026-09-16, 410 afterwards). */
export const legacyBillingPageSchema = z.object({
  data: z.array(billingEntrySchema),
  pagination: z.object({ limit: z.number(), page: z.number(), total: z.number(), totalPages: z.number() }),
})

export const imageResponseSchema = z.object({
  id: z.string().optional(),
  images: z.array(z.string()),
  timing: z.record(z.string(), z.unknown()).optional(),
})
export type ImageResponse = z.infer<typeof imageResponseSchema>
