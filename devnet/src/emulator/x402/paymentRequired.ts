/**
 * The x402 402 bodies the spec defines: the top-up's `{ x402Version, accepts }`, the inference
 * discovery body (`X402InferencePaymentRequired`, first form) for a request with no credentials, and
 * the `PAYMENT_REQUIRED` body (second form) for a SIWX wallet short of credits, plus the
 * `PAYMENT-REQUIRED` header (base64 x402 v2 `PaymentRequired`, encoded by `@x402/core`).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { encodePaymentRequiredHeader } from '@x402/core/http'
import type { PaymentRequired, PaymentRequirements } from '@x402/core/types'
import type { X402Config } from './config.js'

const USDC_DECIMALS = 6

/** The absolute URL of a request, as the client addressed it (the `resource.url` of a 402). */
export function requestUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${request.url}`
}

/** USD → USDC base units (6 decimals), as the decimal string x402 uses. */
export function usdToAtomic(usd: number): string {
  return String(Math.round(usd * 10 ** USDC_DECIMALS))
}

/**
 * The one payment option the emulator offers (Base USDC on the devnet chain; no Solana): `amount` is
 * the minimum top-up, and any amount from there to the maximum is accepted.
 */
export function topUpRequirements(cfg: X402Config): PaymentRequirements {
  return {
    scheme: 'exact',
    network: cfg.network,
    amount: usdToAtomic(cfg.minimumTopUpUsd),
    asset: cfg.asset,
    payTo: cfg.payTo,
    maxTimeoutSeconds: cfg.maxTimeoutSeconds,
    extra: { name: 'USD Coin', version: '2' },
  }
}

/** The x402 v2 `PaymentRequired` object of the `PAYMENT-REQUIRED` header, for `url`. */
export function paymentRequired(cfg: X402Config, url: string, error?: string): PaymentRequired {
  return {
    x402Version: 2,
    ...(error ? { error } : {}),
    resource: { url, description: 'Venice API', mimeType: 'application/json' },
    accepts: [topUpRequirements(cfg)],
  }
}

/** `{ 'PAYMENT-REQUIRED': base64 }` for a 402. */
export function paymentRequiredHeader(cfg: X402Config, url: string, error?: string): Record<string, string> {
  return { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(paymentRequired(cfg, url, error)) }
}

/** A fresh SIWX challenge (`extensions["sign-in-with-x"]` / `siwxChallenge`) for `url`. */
export function siwxChallenge(cfg: X402Config, url: string, now: number) {
  return {
    info: {
      domain: cfg.siwxDomain,
      uri: url,
      version: '1',
      nonce: randomBytes(8).toString('hex'),
      issuedAt: new Date(now).toISOString(),
      expirationTime: new Date(now + 5 * 60_000).toISOString(),
      statement: 'Sign in to Venice API',
    },
    supportedChains: [{ chainId: cfg.network, type: 'eip191' as const }],
  }
}

/** The inference 402 for a request with neither an API key nor a SIWX header (`X402InferencePaymentRequired`, first form). */
export function discoveryBody(cfg: X402Config, url: string, topUpUrl: string, now: number) {
  return {
    x402Version: 2,
    resource: { url, description: 'Venice API', mimeType: 'application/json' },
    accepts: [topUpRequirements(cfg)],
    extensions: { 'sign-in-with-x': siwxChallenge(cfg, url, now) },
    authOptions: {
      apiKey: { header: 'Authorization: Bearer YOUR_API_KEY', getKey: 'https://venice.ai/settings/api', docs: 'https://docs.venice.ai/api-reference' },
      x402Wallet: {
        header: 'SIGN-IN-WITH-X',
        legacyHeader: 'X-Sign-In-With-X',
        topUp: `POST ${new URL(topUpUrl).pathname}`,
        docs: 'https://docs.venice.ai/api-reference/endpoint/x402/top-up',
      },
    },
  }
}

/** The inference 402 for a SIWX wallet whose credits are short (`X402InferencePaymentRequired`, second form). */
export function insufficientBody(cfg: X402Config, url: string, balanceUsd: number, now: number) {
  return {
    error: 'Payment required' as const,
    code: 'PAYMENT_REQUIRED' as const,
    reason: 'insufficient_balance' as const,
    message: 'Insufficient x402 balance',
    currentBalanceUsd: balanceUsd,
    minimumBalanceUsd: cfg.minimumBalanceUsd,
    description: 'Venice API',
    suggestedTopUpUsd: cfg.suggestedTopUpUsd,
    minimumTopUpUsd: cfg.minimumTopUpUsd,
    supportedTokens: ['USDC'],
    supportedChains: ['base'],
    topUpInstructions: {
      step1: 'POST /api/v1/x402/top-up with no payment header to get payment requirements',
      step2: 'Choose a payment option from accepts and sign a USDC transfer authorization using the x402 SDK (createPaymentHeader)',
      step3: 'POST /api/v1/x402/top-up with the signed PAYMENT-SIGNATURE header',
      receiverWallet: cfg.payTo,
      tokenAddress: cfg.asset,
      tokenDecimals: USDC_DECIMALS,
      network: cfg.network,
      minimumAmountUsd: cfg.minimumTopUpUsd,
    },
    siwxChallenge: siwxChallenge(cfg, url, now),
  }
}
