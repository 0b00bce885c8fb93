/**
 * The spec's `x402` tag: `POST /x402/top-up` (402 with the payment requirements, or settle the
 * `PAYMENT-SIGNATURE` payment on the chain and credit the payer), and the SIWX-authenticated
 * `GET /x402/balance/{walletAddress}` and `GET /x402/transactions/{walletAddress}` (a wallet reads only its own).
 */
import { encodePaymentResponseHeader } from '@x402/core/http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { getAddress, isAddressEqual, type Address } from 'viem'
import { sendJson, type EmulatorContext } from '../context.js'
import { authenticateSiwx } from '../x402/siwxAuth.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { toErrorTree } from '../spec/validators.js'
import { paymentRequired, paymentRequiredHeader, requestUrl } from '../x402/paymentRequired.js'
import { PAYMENT_HEADERS } from '../x402/settleTopUp.js'

const WALLET = /^(0x[a-fA-F0-9]{40}|[1-9A-HJ-NP-Za-km-z]{32,44})$/

/** Rounds a USD figure for JSON (credits are kept unrounded). */
const usd = (n: number): number => Math.round(n * 1e8) / 1e8

/** Registers the x402 routes. */
export function registerX402Routes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/api/v1/x402/top-up', async (request, reply) => {
    const header = PAYMENT_HEADERS.map((h) => request.headers[h]).find((v): v is string => typeof v === 'string' && v.length > 0)
    const url = requestUrl(request)
    if (header === undefined) {
      const { x402Version, accepts } = paymentRequired(ctx.x402.config, url)
      return sendJson(reply.headers(paymentRequiredHeader(ctx.x402.config, url)), 402, { x402Version, accepts })
    }
    const settled = await ctx.x402.settler.settle(header)
    const amount = Number(settled.atomic) / 1e6
    const paymentId = `payment_${settled.transaction}`
    const newBalance = ctx.x402.credits.topUp(settled.payer, amount, paymentId)
    reply.header('PAYMENT-RESPONSE', encodePaymentResponseHeader(settled.response))
    return sendJson(reply, 200, {
      success: true,
      data: { walletAddress: settled.payer.toLowerCase(), amountCredited: amount, newBalance: usd(newBalance), paymentId },
    })
  })

  app.get('/api/v1/x402/balance/:walletAddress', async (request, reply) => {
    const wallet = await ownWallet(ctx, request)
    const balance = ctx.x402.credits.balance(wallet)
    const cfg = ctx.x402.config
    return sendJson(reply, 200, {
      success: true,
      data: {
        walletAddress: wallet.toLowerCase(),
        balanceUsd: usd(balance),
        canConsume: balance >= cfg.minimumBalanceUsd && balance > 0,
        minimumTopUpUsd: cfg.minimumTopUpUsd,
        suggestedTopUpUsd: cfg.suggestedTopUpUsd,
      },
    })
  })

  app.get('/api/v1/x402/transactions/:walletAddress', async (request, reply) => {
    const wallet = await ownWallet(ctx, request)
    const q = ctx.validators.query('/x402/transactions/{walletAddress}', 'get')((request.query ?? {}) as Record<string, unknown>)
    if (!q.ok) throw new VeniceHttpError(400, MESSAGES.invalidRequest, { details: toErrorTree(q.errors) })
    const limit = (q.value.limit as number | undefined) ?? 50
    const offset = (q.value.offset as number | null | undefined) ?? 0
    const page = ctx.x402.credits.page(wallet, limit, offset)
    return sendJson(reply, 200, {
      success: true,
      data: {
        walletAddress: wallet.toLowerCase(),
        currentBalance: usd(ctx.x402.credits.balance(wallet)),
        transactions: page.transactions.map((t) => ({ ...t, amount: usd(t.amount), balanceAfter: usd(t.balanceAfter) })),
        pagination: { limit, offset, hasMore: page.hasMore },
      },
    })
  })
}

/** SIWX first (401), then the path's address (400), then ownership (403): a wallet reads only its own records. */
async function ownWallet(ctx: EmulatorContext, request: FastifyRequest): Promise<Address> {
  await authenticateSiwx(ctx, request)
  const param = (request.params as { walletAddress?: string }).walletAddress ?? ''
  if (!WALLET.test(param)) {
    throw new VeniceHttpError(400, MESSAGES.invalidRequest, {
      details: { _errors: [], walletAddress: { _errors: ['Invalid EVM or Solana wallet address'] } },
    })
  }
  const wallet = request.venice.wallet!
  if (!param.startsWith('0x') || !isAddressEqual(getAddress(param), wallet)) throw new VeniceHttpError(403, MESSAGES.siwxWrongWallet)
  return wallet
}
