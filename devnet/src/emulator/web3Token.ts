/**
 * The web3 key flow's token: an HS256 JWT (jose) that expires 15 minutes after issue on the
 * emulator clock, and the exact error strings Venice gives when one fails to verify.
 */
import { errors, jwtVerify, SignJWT } from 'jose'

export const WEB3_TOKEN_TTL_SECONDS = 15 * 60
const ISSUER = 'venice-emulator'
const AUDIENCE = 'generate_web3_key'

/** Venice's messages for a bad token (FACTS.md). */
export const TOKEN_ERRORS = {
  expired: 'JWT has expired',
  signature: 'JWT signature is invalid',
  claims: 'JWT claims are invalid',
  malformed: 'JWT is malformed',
} as const

/**
 * @example
 * ```ts
 * const token = await issueWeb3Token(secret, Date.now())
 * ```
 */
export async function issueWeb3Token(secret: Uint8Array, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000)
  return new SignJWT({ purpose: 'api_key' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + WEB3_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(secret)
}

/**
 * Verifies a token at `nowMs`; returns undefined when valid, else the Venice error message.
 *
 * @example
 * ```ts
 * await verifyWeb3Token(secret, token, Date.now() + 16 * 60_000) // 'JWT has expired'
 * ```
 */
export async function verifyWeb3Token(secret: Uint8Array, token: string, nowMs: number): Promise<string | undefined> {
  try {
    await jwtVerify(token, secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(nowMs), requiredClaims: ['exp', 'iat'] })
    return undefined
  } catch (err) {
    if (err instanceof errors.JWTExpired) return TOKEN_ERRORS.expired
    if (err instanceof errors.JWSSignatureVerificationFailed) return TOKEN_ERRORS.signature
    if (err instanceof errors.JWTClaimValidationFailed) return TOKEN_ERRORS.claims
    return TOKEN_ERRORS.malformed
  }
}
