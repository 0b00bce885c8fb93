import type { LocalAccount } from 'viem'
import { createSiweMessage } from 'viem/siwe'

/**
 * A `SIGN-IN-WITH-X` header as the spec's example builds it: base64 JSON `{ address, message,
 * signature, timestamp, chainId }` over an EIP-4361 message signed with EIP-191.
 *
 * @example
 * ```ts
 * const header = await siwxHeader(account, { chainId: 31337, now: emulator().now() })
 * await fetch(url, { headers: { 'SIGN-IN-WITH-X': header } })
 * ```
 */
export async function siwxHeader(
  account: LocalAccount,
  options: { chainId: number; now: number; domain?: string; nonce?: string; ttlMs?: number; notBefore?: number; signer?: LocalAccount },
): Promise<string> {
  const message = createSiweMessage({
    domain: options.domain ?? 'api.venice.ai',
    address: account.address,
    statement: 'Sign in to Venice API',
    uri: 'https://api.venice.ai',
    version: '1',
    chainId: options.chainId,
    nonce: options.nonce ?? crypto.randomUUID().replace(/-/g, '').slice(0, 16),
    issuedAt: new Date(options.now),
    expirationTime: new Date(options.now + (options.ttlMs ?? 600_000)),
    ...(options.notBefore === undefined ? {} : { notBefore: new Date(options.notBefore) }),
  })
  const signature = await (options.signer ?? account).signMessage({ message })
  return Buffer.from(JSON.stringify({ address: account.address, message, signature, timestamp: options.now, chainId: options.chainId })).toString('base64')
}
