/**
 * The `siwx` security scheme: a `SIGN-IN-WITH-X` header (legacy `X-Sign-In-With-X`) carrying
 * base64 JSON `{ address, message, signature, timestamp, chainId, type? }` whose `message` is an
 * EIP-4361 SIWE message. Checked here: domain, chain id, issued-at / expiration / not-before on the
 * emulator clock, address = message address = signer, and each nonce accepted once per wallet.
 *
 * Parsing and field validation are viem's (`parseSiweMessage`, `validateSiweMessage`). The signature is
 * checked with viem's `verifyMessage` (ECDSA recovery) rather than `verifySiweMessage`, which needs a
 * chain client for EIP-1271 / ERC-6492: the emulator accepts EOAs only, as in its web3 key flow, and
 * makes no chain read per request.
 */
import { isAddressEqual, verifyMessage, type Address, type Hex } from 'viem'
import { parseSiweMessage, validateSiweMessage } from 'viem/siwe'
import { z } from 'zod'
import { VeniceHttpError } from '../http/VeniceHttpError.js'

/** Header names, canonical first. */
export const SIWX_HEADERS = ['sign-in-with-x', 'x-sign-in-with-x'] as const

/** The 401 texts of a refused SIWX header (`{ error }`, the spec's StandardError). */
export const SIWX_ERRORS = {
  malformed: 'Invalid SIGN-IN-WITH-X header: expected base64-encoded JSON { address, message, signature, timestamp, chainId }',
  notSiwe: 'Invalid SIGN-IN-WITH-X header: message is not an EIP-4361 SIWE message',
  unsupportedType: 'Invalid SIGN-IN-WITH-X header: only EVM (EIP-191) signatures are supported',
  domain: 'Invalid SIGN-IN-WITH-X message: domain does not match',
  chain: 'Invalid SIGN-IN-WITH-X message: chain id is not supported',
  address: 'Invalid SIGN-IN-WITH-X message: address does not match the header address',
  expired: 'Invalid SIGN-IN-WITH-X message: expired',
  notYetValid: 'Invalid SIGN-IN-WITH-X message: not yet valid',
  invalid: 'Invalid SIGN-IN-WITH-X message',
  signature: 'Invalid SIGN-IN-WITH-X signature: it does not match the address',
  replayed: 'Invalid SIGN-IN-WITH-X message: nonce already used',
} as const

const Header = z.object({
  address: z.string(),
  message: z.string(),
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  timestamp: z.union([z.number(), z.string()]).optional(),
  chainId: z.union([z.number(), z.string()]).optional(),
  type: z.string().optional(),
})

export type SiwxOptions = {
  /** The SIWE `domain` required (the spec: `api.venice.ai`). */
  domain: string
  /** The only chain id accepted (the chain the emulator settles on). */
  chainId: number
  now: () => number
  /** Oldest `issuedAt` accepted, in ms (default 24 h); nonces are remembered this long at most. */
  maxAgeMs?: number
  /** Clock skew allowed for an `issuedAt` in the future (default 60 s). */
  skewMs?: number
}

export type SiwxVerifier = { verify(header: string): Promise<Address> }

/** `8453`, `"8453"` or `"eip155:8453"` → 8453; anything else → NaN. */
function chainIdOf(value: number | string): number {
  if (typeof value === 'number') return value
  const m = /^(?:eip155:)?(\d+)$/.exec(value)
  return m ? Number(m[1]) : Number.NaN
}

/**
 * @example
 * ```ts
 * const siwx = createSiwxVerifier({ domain: 'api.venice.ai', chainId: 8453, now: Date.now })
 * const wallet = await siwx.verify(request.headers['sign-in-with-x'])
 * ```
 */
export function createSiwxVerifier(options: SiwxOptions): SiwxVerifier {
  const maxAge = options.maxAgeMs ?? 86_400_000
  const skew = options.skewMs ?? 60_000
  /** `address:nonce` → when it may be forgotten (the message can no longer be accepted then). */
  const used = new Map<string, number>()
  const refuse = (message: string): never => {
    throw new VeniceHttpError(401, message)
  }
  const prune = (now: number): void => {
    for (const [k, until] of used) if (until <= now) used.delete(k)
  }

  return {
    async verify(header) {
      const domain = options.domain
      let json: unknown
      try {
        json = JSON.parse(Buffer.from(header, 'base64').toString('utf8'))
      } catch {
        refuse(SIWX_ERRORS.malformed)
      }
      const parsed = Header.safeParse(json)
      if (!parsed.success) return refuse(SIWX_ERRORS.malformed)
      const h = parsed.data
      if (h.type !== undefined && h.type !== 'eip191') refuse(SIWX_ERRORS.unsupportedType)
      const msg = parseSiweMessage(h.message)
      if (!msg.domain || !msg.address || !msg.nonce || !msg.issuedAt || msg.chainId === undefined) refuse(SIWX_ERRORS.notSiwe)
      if (msg.domain !== domain) refuse(SIWX_ERRORS.domain)
      if (msg.chainId !== options.chainId || (h.chainId !== undefined && chainIdOf(h.chainId) !== options.chainId)) refuse(SIWX_ERRORS.chain)
      let sameAddress = false
      try {
        sameAddress = isAddressEqual(h.address as Address, msg.address as Address)
      } catch {}
      if (!sameAddress) refuse(SIWX_ERRORS.address)
      const now = options.now()
      const issuedAt = msg.issuedAt!.getTime()
      if (Number.isNaN(issuedAt) || issuedAt > now + skew || (msg.notBefore && now < msg.notBefore.getTime())) refuse(SIWX_ERRORS.notYetValid)
      if (now - issuedAt > maxAge || (msg.expirationTime && now >= msg.expirationTime.getTime())) refuse(SIWX_ERRORS.expired)
      if (!validateSiweMessage({ message: msg, domain, address: h.address as Address, time: new Date(now) })) refuse(SIWX_ERRORS.invalid)
      const address = msg.address as Address
      const valid = await verifyMessage({ address, message: h.message, signature: h.signature as Hex }).catch(() => false)
      if (!valid) refuse(SIWX_ERRORS.signature)
      const key = `${address.toLowerCase()}:${msg.nonce}`
      if (used.size > 10_000) prune(now)
      const known = used.get(key)
      if (known !== undefined && known > now) refuse(SIWX_ERRORS.replayed)
      used.set(key, Math.min(msg.expirationTime?.getTime() ?? Number.POSITIVE_INFINITY, issuedAt + maxAge))
      return address
    },
  }
}
