/**
 * Sign-In-With-X (Venice's `siwx` security scheme): every x402 request carries a `SIGN-IN-WITH-X` header, a base64
 * JSON `{ address, message, signature, timestamp, chainId }` whose `message` is an EIP-4361 (SIWE) message signed
 * with EIP-191 by the wallet. The message is built by viem's `createSiweMessage` (no `siwe` package needed); only
 * the header's JSON envelope is hand-written, because it is Venice's own format and no library writes it.
 *
 * Every header is fresh: a new 16-hex-character nonce per request (so a retried or repeated request is never a
 * replay) and a short expiration (60 s by default, well under the spec's recommended 10 minutes). The header is a
 * bearer credential for its lifetime: it is never logged, and never put into an error message.
 */
import { randomBytes } from 'node:crypto'
import { getAddress, type Address, type Hex } from 'viem'
import { createSiweMessage } from 'viem/siwe'

/** What SIWX needs from a wallet: its address and EIP-191 `personal_sign` (a `WalletSigner` is one). */
export type SiwxSigner = { address: Address; signMessage(message: string): Promise<Hex> }

/**
 * What a SIWX client is called where a key hint would go (ledger lines, telemetry): a call signed in with SIWX
 * is paid from the wallet's x402 credits, and the status model tells those ledger lines by this hint.
 */
export const SIWX_KEY_HINT = 'siwx'

/** The request header that carries the signed payload. */
export const SIWX_HEADER = 'SIGN-IN-WITH-X'

/** The SIWE domain and URI the spec prescribes. */
export const SIWX_DOMAIN = 'api.venice.ai'
export const SIWX_URI = 'https://api.venice.ai'

/** The statement Venice's docs sign. */
export const SIWX_STATEMENT = 'Sign in to Venice API'

export type SiwxOptions = {
  signer: SiwxSigner
  /** The chain the wallet signs in on: 8453 (Base) against Venice, the devnet's id against the emulator. */
  chainId: number
  /**
   * The SIWE `domain` and `uri`: the spec fixes them to `api.venice.ai` and `https://api.venice.ai` (the default),
   * and the emulator, standing in for that API, checks the same domain wherever it listens.
   */
  domain?: string | undefined
  uri?: string | undefined
  /** Lifetime of one header in ms (default 60 000). */
  ttlMs?: number | undefined
  now?: (() => number) | undefined
}

/**
 * Builds one fresh `SIGN-IN-WITH-X` header value.
 *
 * @example
 * ```ts
 * const header = await createSiwxHeader({ signer: wallet.signer, chainId: 8453 })
 * await fetch(url, { headers: { [SIWX_HEADER]: header } })
 * ```
 */
export async function createSiwxHeader(options: SiwxOptions): Promise<string> {
  const now = (options.now ?? Date.now)()
  const address = getAddress(options.signer.address)
  const message = createSiweMessage({
    domain: options.domain ?? SIWX_DOMAIN,
    uri: options.uri ?? SIWX_URI,
    address,
    version: '1',
    chainId: options.chainId,
    nonce: randomBytes(8).toString('hex'),
    issuedAt: new Date(now),
    expirationTime: new Date(now + (options.ttlMs ?? 60_000)),
    statement: SIWX_STATEMENT,
  })
  const signature = await options.signer.signMessage(message)
  return Buffer.from(JSON.stringify({ address, message, signature, timestamp: now, chainId: options.chainId })).toString('base64')
}

/**
 * Wraps a `fetch` so that every request (every retry too) carries a fresh `SIGN-IN-WITH-X` header and no
 * `Authorization` header: an x402 client holds no API key.
 *
 * @example
 * ```ts
 * const fetchWithSiwx = withSiwx(fetch, { signer, chainId: 8453 })
 * const openai = new OpenAI({ baseURL, apiKey: 'siwx', fetch: fetchWithSiwx })
 * ```
 */
export function withSiwx(base: typeof fetch, options: SiwxOptions): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
    headers.delete('authorization')
    headers.set(SIWX_HEADER, await createSiwxHeader(options))
    return base(input, { ...init, headers })
  }
}
