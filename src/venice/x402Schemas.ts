/**
 * Zod schemas of Venice's x402 routes (tag `x402` of the official spec): `/x402/balance/{walletAddress}`,
 * `/x402/transactions/{walletAddress}` and `/x402/top-up` (its 402 requirements and its 200 receipt).
 */
import { z } from 'zod'

export const x402BalanceSchema = z.object({
  success: z.literal(true),
  data: z.object({
    walletAddress: z.string(),
    balanceUsd: z.number(),
    canConsume: z.boolean(),
    minimumTopUpUsd: z.number(),
    suggestedTopUpUsd: z.number(),
    diemBalanceUsd: z.number().optional(),
  }),
})
/** `GET /x402/balance/{walletAddress}` → `data`. */
export type X402Balance = z.infer<typeof x402BalanceSchema>['data']

export const x402TransactionSchema = z.object({
  id: z.string(),
  amount: z.number(),
  balanceAfter: z.number(),
  type: z.string(),
  createdAt: z.string(),
  requestId: z.string().nullable(),
  modelId: z.string().nullable(),
})
export type X402Transaction = z.infer<typeof x402TransactionSchema>

export const x402TransactionsSchema = z.object({
  success: z.literal(true),
  data: z.object({
    walletAddress: z.string(),
    currentBalance: z.number(),
    transactions: z.array(x402TransactionSchema),
    pagination: z.object({ limit: z.number(), offset: z.number(), hasMore: z.boolean() }),
  }),
})
/** `GET /x402/transactions/{walletAddress}` → `data`. */
export type X402Transactions = z.infer<typeof x402TransactionsSchema>['data']

/** One entry of a 402's `accepts`: what the server will take, and where it goes. */
export const x402RequirementSchema = z.object({
  scheme: z.string(),
  network: z.string(),
  amount: z.string().regex(/^\d+$/),
  asset: z.string(),
  payTo: z.string(),
  maxTimeoutSeconds: z.number().int().positive(),
  extra: z.record(z.string(), z.unknown()).optional(),
})
export type X402Requirement = z.infer<typeof x402RequirementSchema>

/** The 402 of `POST /x402/top-up` without a payment header. */
export const x402TopUpRequiredSchema = z.object({
  x402Version: z.number(),
  accepts: z.array(x402RequirementSchema),
})
export type X402TopUpRequired = z.infer<typeof x402TopUpRequiredSchema>

export const x402TopUpResultSchema = z.object({
  success: z.literal(true),
  data: z.object({ walletAddress: z.string(), amountCredited: z.number(), newBalance: z.number(), paymentId: z.string() }),
})
/** `POST /x402/top-up` with `PAYMENT-SIGNATURE` → `data`. */
export type X402TopUpResult = z.infer<typeof x402TopUpResultSchema>['data']
