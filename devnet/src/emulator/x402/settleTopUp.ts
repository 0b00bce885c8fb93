/**
 * The emulator as its own x402 facilitator for `POST /x402/top-up`: decode the payment header
 * (`@x402/core`), check it is for the offer the emulator made (scheme, network, asset, payee, amount
 * within the top-up bounds), verify it with `@x402/evm`'s exact-scheme facilitator (EIP-712 signature,
 * validity window, amount = authorization value, and a simulated `transferWithAuthorization` on the
 * chain, where a used nonce reverts in the token itself), then settle: submit the transfer from the
 * emulator's funded account and wait for the receipt. Nothing is submitted unless every check passed.
 *
 * The offer check is hand-written: `@x402/evm` verifies a payload against one fixed requirement
 * (`value === amount`), while the top-up's price is dynamic (from the minimum to the maximum).
 */
import { decodePaymentSignatureHeader } from '@x402/core/http'
import { parsePaymentPayload } from '@x402/core/schemas'
import type { PaymentPayload, PaymentRequirements, SettleResponse } from '@x402/core/types'
import { isEIP3009Payload, type ExactEvmPayloadV2 } from '@x402/evm'
import { ExactEvmScheme } from '@x402/evm/exact/facilitator'
import { getAddress, isAddressEqual, type Address } from 'viem'
import { VeniceHttpError } from '../http/VeniceHttpError.js'
import type { X402Config } from './config.js'
import { facilitatorSigner } from './facilitatorSigner.js'
import { topUpRequirements, usdToAtomic } from './paymentRequired.js'

/** Payment header names, canonical first (the spec: `PAYMENT-SIGNATURE`; legacy `X-402-Payment`, `X-PAYMENT`). */
export const PAYMENT_HEADERS = ['payment-signature', 'x-402-payment', 'x-payment'] as const

/** A settled top-up: who paid, how much (USDC base units), the transaction and the x402 settle response. */
export type SettledTopUp = { payer: Address; atomic: bigint; transaction: `0x${string}`; response: SettleResponse }

/** A refused payment: 400 (nothing submitted, or the token refused it) or 500 (settlement failed), the spec's `{ error, message, details }`. */
export function paymentError(status: 400 | 500, message: string, reason: string, extra: Record<string, unknown> = {}): VeniceHttpError {
  const error = status === 400 ? 'X402_INVALID_PAYMENT' : 'X402_SETTLEMENT_FAILED'
  return new VeniceHttpError(status, message, { body: { error, message, details: { reason, ...extra } } })
}

/** Reasons the token (or its simulation) gives that mean the payment itself is bad, not the facilitator. */
const CLIENT_REASONS =
  /nonce_already_used|valid_before|valid_after|insufficient_balance|signature|recipient|value_mismatch|token_(name|version)|not_supported|simulation_failed/

export type TopUpSettler = ReturnType<typeof createTopUpSettler>

/**
 * @example
 * ```ts
 * const settler = createTopUpSettler(cfg)
 * const { payer, atomic, transaction } = await settler.settle(request.headers['payment-signature'])
 * ```
 */
export function createTopUpSettler(cfg: X402Config) {
  const scheme = cfg.settlement ? new ExactEvmScheme(facilitatorSigner(cfg.settlement)) : undefined
  /** `payer:nonce` (the EIP-3009 nonce is the idempotency key) of authorizations being settled, or broadcast without a receipt yet. */
  const inFlight = new Map<string, 'settling' | 'pending'>()
  /**
   * `payer:nonce` → the settling transaction, for authorizations this emulator settled: a replay is refused
   * (by the token) with `details.paymentId`, so a client that crashed before reading the 200 learns it was credited.
   */
  const settledBy = new Map<string, `0x${string}`>()
  /**
   * Settlements run one at a time: they all send from one account, and two at once took the same account
   * nonce (measured: 2 of 4 simultaneous top-ups of different wallets failed with 500 before).
   */
  let queue: Promise<unknown> = Promise.resolve()
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work)
    queue = run.catch(() => {})
    return run
  }

  /** Decodes and checks the header against the offer; returns the payload and the requirement it pays. */
  const check = (
    header: string,
  ): { payload: PaymentPayload; auth: ExactEvmPayloadV2 & { authorization: { from: string; nonce: string } }; requirements: PaymentRequirements } => {
    let decoded: unknown
    try {
      decoded = decodePaymentSignatureHeader(header)
    } catch {
      throw paymentError(400, 'Invalid payment header: not base64-encoded JSON', 'invalid_payload')
    }
    const parsed = parsePaymentPayload(decoded)
    if (!parsed.success) throw paymentError(400, 'Invalid payment header: not an x402 PaymentPayload', 'invalid_payload')
    const payload = parsed.data as PaymentPayload
    if (payload.x402Version !== 2) throw paymentError(400, 'Unsupported x402 version: 2 is required', 'unsupported_x402_version')
    const offer = topUpRequirements(cfg)
    const a = payload.accepted
    if (a.scheme !== offer.scheme) throw paymentError(400, 'Unsupported payment scheme', 'scheme_mismatch')
    if (a.network !== offer.network) throw paymentError(400, `Unsupported network: ${offer.network} is accepted`, 'network_mismatch')
    if (!sameAddress(a.asset, offer.asset)) throw paymentError(400, 'Unsupported asset: only USDC is accepted', 'asset_mismatch')
    if (!sameAddress(a.payTo, offer.payTo)) throw paymentError(400, 'Payment is not addressed to the Venice receiver wallet', 'payto_mismatch')
    if (!/^\d+$/.test(a.amount)) throw paymentError(400, 'Invalid payment amount', 'invalid_amount')
    const amount = BigInt(a.amount)
    if (amount < BigInt(offer.amount)) throw paymentError(400, `Top-up below the minimum of $${cfg.minimumTopUpUsd}`, 'amount_below_minimum')
    if (amount > BigInt(usdToAtomic(cfg.maximumTopUpUsd)))
      throw paymentError(400, `Top-up above the maximum of $${cfg.maximumTopUpUsd}`, 'amount_above_maximum')
    const evm = payload.payload as ExactEvmPayloadV2
    if (!isEIP3009Payload(evm)) throw paymentError(400, 'Unsupported payload: an EIP-3009 authorization is required', 'unsupported_payload_type')
    return { payload, auth: evm as never, requirements: { ...offer, amount: a.amount } }
  }

  return {
    /**
     * Verifies and settles the payment in `header`; resolves once the transfer's receipt succeeded.
     *
     * @throws {VeniceHttpError} 400 for a payment refused before submission or by the token, 500 when settlement failed.
     */
    async settle(header: string): Promise<SettledTopUp> {
      const { payload, auth, requirements } = check(header)
      if (!scheme) throw paymentError(500, 'x402 settlement is not configured on this emulator', 'settlement_unavailable')
      const key = `${getAddress(auth.authorization.from)}:${auth.authorization.nonce.toLowerCase()}`
      const state = inFlight.get(key)
      // Two requests with one authorization at once: the second is refused, never credited twice.
      if (state === 'settling') throw paymentError(400, 'Payment authorization is already being settled', 'payment_in_progress')
      inFlight.set(key, 'settling')
      let next: 'pending' | undefined
      try {
        // A broadcast whose receipt timed out is reconciled by @x402/evm (same signature → same transaction), not verified again.
        if (state !== 'pending') {
          const verified = await scheme.verify(payload, requirements)
          if (!verified.isValid) {
            const tx = /nonce_already_used/.test(verified.invalidReason ?? '') ? settledBy.get(key) : undefined
            throw paymentError(
              400,
              `Payment refused: ${verified.invalidReason ?? 'invalid'}`,
              verified.invalidReason ?? 'invalid_payment',
              tx ? { paymentId: `payment_${tx}` } : {},
            )
          }
        }
        const settled = await oneAtATime(() => scheme.settle(payload, requirements))
        if (!settled.success) {
          const reason = settled.errorReason ?? 'settlement_failed'
          if (/settlement_pending/.test(reason)) next = 'pending'
          throw paymentError(CLIENT_REASONS.test(reason) ? 400 : 500, `Payment settlement failed: ${reason}`, reason)
        }
        settledBy.set(key, settled.transaction as `0x${string}`)
        return {
          payer: getAddress(auth.authorization.from),
          atomic: BigInt(requirements.amount),
          transaction: settled.transaction as `0x${string}`,
          response: settled,
        }
      } finally {
        // Settled or refused: a replay goes to the chain again, where the token refuses a used nonce.
        if (next) inFlight.set(key, next)
        else inFlight.delete(key)
      }
    },
  }
}

function sameAddress(a: string, b: string): boolean {
  try {
    return isAddressEqual(a as Address, b as Address)
  } catch {
    return false
  }
}
