/**
 * An address from a private key, and a checksummed address from a keystore's field, without viem's account and
 * utility modules: `gondola wallet address` needs only these, and `viem/accounts` or `viem/utils` is ~400 modules
 * to load for them (issue #25). The public key comes from node:crypto (secp256k1 in OpenSSL); keccak-256 and the
 * EIP-55 checksum from ox, viem's own primitives library (the same copy viem uses: the dependency is pinned to
 * viem's version of it). test/wallet.lightAddress.test.ts checks both against viem.
 */
import { createECDH } from 'node:crypto'
import type { Address } from 'viem'

/**
 * The checksummed address of a private key.
 *
 * @example
 * ```ts
 * await addressOfPrivateKey('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80') // '0xf39Fd6e5…2266'
 * ```
 */
export async function addressOfPrivateKey(privateKey: `0x${string}`): Promise<Address> {
  const ecdh = createECDH('secp256k1')
  ecdh.setPrivateKey(Buffer.from(privateKey.slice(2), 'hex'))
  const [{ fromPublicKey }, { fromBytes }] = await Promise.all([import('ox/Address'), import('ox/PublicKey')])
  return fromPublicKey(fromBytes(new Uint8Array(ecdh.getPublicKey())), { checksum: true }) as Address
}

/**
 * The checksummed form of an address (with or without `0x`, any case), or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * await checksummedAddress('f39fd6e51aad88f6f4ce6ab8827279cfffb92266') // '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
 * ```
 */
export async function checksummedAddress(raw: string): Promise<Address | undefined> {
  const hex = raw.startsWith('0x') ? raw : `0x${raw}`
  const { checksum, validate } = await import('ox/Address')
  return validate(hex, { strict: false }) ? (checksum(hex) as Address) : undefined
}
