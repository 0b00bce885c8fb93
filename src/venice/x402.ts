import type { Address } from 'viem'
import { importOptional, X402_FEATURE } from '../util/optionalDependency.js'
import { InvalidResponseError, X402PaymentRequiredError } from './errors.js'
import { request, type Transport } from './request.js'
import {
  x402BalanceSchema,
  x402TopUpRequiredSchema,
  x402TopUpResultSchema,
  x402TransactionsSchema,
  type X402Balance,
  type X402TopUpRequired,
  type X402TopUpResult,
  type X402Transactions,
} from './x402Schemas.js'

type Opts = { signal?: AbortSignal | undefined }

/** The receipt of a settled top-up: Venice's body, and the settlement transaction from `PAYMENT-RESPONSE` when sent. */
export type X402TopUpReceipt = X402TopUpResult & { transaction: string | undefined }

/**
 * The x402 routes of a Venice client (spread into `createVeniceClient`'s result). Balance and transactions need a
 * SIWX client (`siwx` option); the top-up route needs no authentication: the payment names its payer.
 *
 * @example
 * ```ts
 * const venice = createVeniceClient({ baseURL, siwx: { signer: wallet.signer, chainId: wallet.chainId } })
 * const { balanceUsd } = await venice.getX402Balance(wallet.address)
 * ```
 */
export function x402Methods(t: Transport) {
  return {
    /** `GET /x402/balance/{walletAddress}` (SIWX for the same wallet). */
    getX402Balance: async (address: Address, o: Opts = {}): Promise<X402Balance> =>
      (await request(t, { method: 'GET', path: `/x402/balance/${address}`, schema: x402BalanceSchema, signal: o.signal })).data.data,
    /** `GET /x402/transactions/{walletAddress}?limit&offset`, newest first (SIWX for the same wallet). */
    getX402Transactions: async (address: Address, p: { limit?: number; offset?: number } & Opts = {}): Promise<X402Transactions> =>
      (
        await request(t, {
          method: 'GET',
          path: `/x402/transactions/${address}`,
          query: { limit: p.limit, offset: p.offset },
          schema: x402TransactionsSchema,
          signal: p.signal,
        })
      ).data.data,
    /**
     * `POST /x402/top-up` with no payment header: Venice's 402 with the `accepts` it takes (network, asset,
     * minimum amount, payee).
     *
     * @throws {InvalidResponseError} when the answer is not a 402 in the spec's shape.
     */
    getX402TopUpRequirements: async (o: Opts = {}): Promise<X402TopUpRequired> => {
      try {
        await request(t, { method: 'POST', path: '/x402/top-up', auth: false, signal: o.signal })
      } catch (err) {
        if (!(err instanceof X402PaymentRequiredError)) throw err
        const parsed = x402TopUpRequiredSchema.safeParse(err.body)
        if (parsed.success) return parsed.data
        throw new InvalidResponseError('POST /x402/top-up returned a 402 without payment requirements.', { code: 'VENICE_INVALID_RESPONSE' })
      }
      throw new InvalidResponseError('POST /x402/top-up without a payment asked for no payment.', { code: 'VENICE_INVALID_RESPONSE' })
    },
    /**
     * `POST /x402/top-up` with a signed payment (`PAYMENT-SIGNATURE`, base64 x402 v2 `PaymentPayload`). Never retried
     * here: the caller journals the payment and, after a failure, asks the chain whether it settled.
     */
    submitX402TopUp: async (paymentSignature: string, o: Opts = {}): Promise<X402TopUpReceipt> => {
      const res = await request(t, {
        method: 'POST',
        path: '/x402/top-up',
        auth: false,
        headers: { 'PAYMENT-SIGNATURE': paymentSignature },
        schema: x402TopUpResultSchema,
        signal: o.signal,
        retry: false,
      })
      const header = res.headers.get('payment-response')
      let transaction: string | undefined
      // Loaded here, not with the client: only an x402 top-up reads it, and @x402/core is an optional peer.
      const { decodePaymentResponseHeader } = await importOptional<typeof import('@x402/core/http')>('@x402/core/http', X402_FEATURE)
      try {
        transaction = header ? decodePaymentResponseHeader(header).transaction : undefined
      } catch {
        transaction = undefined
      }
      return { ...res.data.data, transaction }
    },
  }
}
