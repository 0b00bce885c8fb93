import type { Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import type { DevAccount } from 'gondola/chain'

export type { DevAccount }

/**
 * Reads the dev accounts' private keys from anvil's startup banner (the `Private Keys` list).
 *
 * @example
 * ```ts
 * const accounts = parseDevAccounts(anvil.banner) // [{ address: '0xf39F…', privateKey: '0xac09…' }, …]
 * ```
 */
export function parseDevAccounts(banner: string): DevAccount[] {
  const section = banner.split(/Private Keys\s*=+/)[1]?.split(/\n\s*\n[A-Z]/)[0] ?? ''
  return [...section.matchAll(/\(\d+\)\s+(0x[0-9a-fA-F]{64})/g)].map((m) => {
    const privateKey = m[1] as Hex
    return { address: privateKeyToAddress(privateKey), privateKey }
  })
}
