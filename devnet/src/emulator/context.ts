/**
 * Everything the route handlers share: clock, catalogue, validators, stores and knobs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ModelCatalog } from './catalog/models.js'
import type { FaultController } from './faults.js'
import type { ScriptStore } from './model/scripts.js'
import { toErrorTree, type SpecValidators } from './spec/validators.js'
import type { Accounts } from './state/accounts.js'
import type { EmulatorClock } from './state/clock.js'
import { hashKey, type ApiKeyRecord, type KeyStore } from './state/keyStore.js'
import { createFailureBreaker, type RateLimiter } from './state/rateLimiter.js'
import { MESSAGES, VeniceHttpError } from './http/VeniceHttpError.js'
import type { EmulatorVariants } from './variants.js'
import type { X402Rail } from './x402/rail.js'
import type { Address } from 'viem'

export type EmulatorContext = {
  clock: EmulatorClock
  epochMs: number
  catalog: ModelCatalog
  validators: SpecValidators
  keys: KeyStore
  accounts: Accounts
  limiter: RateLimiter
  breaker: ReturnType<typeof createFailureBreaker>
  faults: FaultController
  scripts: ScriptStore
  jwtSecret: Uint8Array
  /** Key-creation timestamps per wallet, for the 20/min limit. */
  keyCreations: Map<string, number[]>
  maxActiveKeys: number
  /** Ambiguous documented behaviours, switchable at run time (`setVariants`, `POST /_emulator/variants`). */
  variants: EmulatorVariants
  /** USDC credits, SIWX and top-up settlement (the spec's `x402` tag). */
  x402: X402Rail
}

/** Per-request state the hooks fill in. */
export type RequestState = { key: ApiKeyRecord | null; caller: string; skipBreaker?: boolean /** The SIWX-authenticated wallet (no key). */; wallet?: Address }

declare module 'fastify' {
  interface FastifyRequest {
    venice: RequestState
  }
}

/**
 * Validates a JSON body against the spec's request schema for `path`, throwing Venice's 400.
 *
 * @example
 * ```ts
 * const body = validateBody<ChatRequest>(ctx, '/chat/completions', 'post', request.body)
 * ```
 */
export function validateBody<T>(ctx: EmulatorContext, path: string, method: string, body: unknown): T {
  const validate = ctx.validators.request(path, method)
  if (validate && !validate(body ?? {})) {
    throw new VeniceHttpError(400, MESSAGES.invalidRequest, { details: toErrorTree(validate.errors) })
  }
  return (body ?? {}) as T
}

/** Sends a JSON body with a status, as every route does. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body))
}

/**
 * Who pays for an inference request: an API key (Diem, then USD) or a SIWX wallet (x402 credits).
 * `owner` is the wallet limits count against; `scriptId` keys `emulator.script` queues.
 */
export type Payer = { kind: 'key'; key: ApiKeyRecord; owner: Address; scriptId: string } | { kind: 'wallet'; owner: Address; scriptId: string }

/**
 * The payer of an authenticated inference request.
 *
 * @example
 * ```ts
 * const payer = payerOf(request) // { kind: 'wallet', owner: '0x…' } under SIWX
 * ```
 */
export function payerOf(request: FastifyRequest): Payer {
  const { key, wallet } = request.venice
  if (key) return { kind: 'key', key, owner: key.owner, scriptId: key.hash }
  if (wallet) return { kind: 'wallet', owner: wallet, scriptId: hashKey(wallet.toLowerCase()) }
  throw new VeniceHttpError(401, MESSAGES.authFailed)
}

/** The authenticated key of a request (routes that require auth run after the auth hook). */
export function keyOf(request: FastifyRequest): ApiKeyRecord {
  if (!request.venice.key) throw new VeniceHttpError(401, MESSAGES.authFailed)
  return request.venice.key
}
