/**
 * The web3 key flow: `GET /api_keys/generate_web3_key` hands out a 15-minute JWT; `POST` checks the
 * body, the wallet address, the JWT, the EIP-191 signature of the token and the wallet's sVVV on
 * chain, then creates a key for that wallet (its user). Errors are Venice's exact 400 messages.
 */
import type { FastifyInstance } from 'fastify'
import { getAddress, isAddress, verifyMessage, type Address, type Hex } from 'viem'
import { sendJson, validateBody, type EmulatorContext } from '../context.js'
import { assertNotBlocked } from '../http/auth.js'
import { VeniceHttpError } from '../http/VeniceHttpError.js'
import type { CreateKeyInput } from '../state/keyStore.js'
import { issueWeb3Token, verifyWeb3Token } from '../web3Token.js'
import { createKeyFor } from './apiKeys.js'

/** Venice's wallet-side messages (FACTS.md). */
export const WALLET_ERRORS = {
  invalidAddress: 'Invalid wallet address',
  signatureMismatch: 'Wallet signature does not match',
  couldNotVerify: 'Could not verify wallet signature',
  noStake: 'Wallet has no staked VVV on Base',
} as const

type Web3Body = CreateKeyInput & { address: string; signature: string; token: string }

/**
 * Registers GET/POST `/api/v1/api_keys/generate_web3_key`, in their own plugin scope: there a body with any content
 * type, or none, is read as raw text (see `jsonText`), and no other route changes how it parses bodies.
 */
export function registerWeb3KeyRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    routes(scope, ctx)
  })
}

function routes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/api/v1/api_keys/generate_web3_key', async (request, reply) => {
    assertNotBlocked(ctx, request.venice.caller)
    return sendJson(reply, 200, { success: true, data: { token: await issueWeb3Token(ctx.jwtSecret, ctx.clock.now()) } })
  })

  app.post('/api/v1/api_keys/generate_web3_key', async (request, reply) => {
    assertNotBlocked(ctx, request.venice.caller)
    const body = validateBody<Web3Body>(ctx, '/api_keys/generate_web3_key', 'post', jsonText(request.body))
    if (!isAddress(body.address, { strict: false })) throw new VeniceHttpError(400, WALLET_ERRORS.invalidAddress)
    const address: Address = getAddress(body.address)
    const tokenError = await verifyWeb3Token(ctx.jwtSecret, body.token, ctx.clock.now())
    if (tokenError) throw new VeniceHttpError(400, tokenError)
    let valid = false
    try {
      valid = await verifyMessage({ address, message: body.token, signature: body.signature as Hex })
    } catch {
      valid = false
    }
    if (!valid) throw new VeniceHttpError(400, WALLET_ERRORS.signatureMismatch)
    let svvv: bigint
    try {
      ctx.accounts.invalidate(address)
      svvv = (await ctx.accounts.getStake(address)).svvv
    } catch (cause) {
      throw new VeniceHttpError(400, WALLET_ERRORS.couldNotVerify, { details: { _errors: [String((cause as Error).message ?? cause).slice(0, 200)] } })
    }
    if (svvv === 0n) throw new VeniceHttpError(400, WALLET_ERRORS.noStake)
    const { address: _a, signature: _s, token: _t, ...input } = body
    ctx.accounts.user(address)
    return sendJson(reply, 200, { success: true, data: createKeyFor(ctx, address, { ...input, description: input.description ?? 'Web3 API Key' }) })
  })
}

/**
 * The docs' JavaScript example posts `JSON.stringify(...)` with fetch and no headers, so the JSON arrives as
 * text/plain (or, from other clients, with no content type): Venice accepts it, so the body is read as JSON
 * whatever its content type. Text that is not JSON stays text, and the spec's validation refuses it (400).
 */
function jsonText(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body
  if (typeof text !== 'string') return body
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
