import { privateKeyToAddress } from 'viem/accounts'
import { getAddress } from 'viem/utils'
import { generatePrivateKey } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { addressOfPrivateKey, checksummedAddress } from '../src/wallet/accounts/lightAddress.js'

describe('addresses without viem’s account modules (the fast `gondola wallet address`)', () => {
  it('a private key’s address is viem’s, checksummed, for anvil’s key and 20 random keys', async () => {
    const keys = ['0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const, ...Array.from({ length: 20 }, () => generatePrivateKey())]
    for (const k of keys) expect(await addressOfPrivateKey(k)).toBe(privateKeyToAddress(k))
    expect(await addressOfPrivateKey(keys[0]!)).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  })

  it('a keystore’s address field: checksummed as viem does, with or without 0x; not an address is undefined', async () => {
    expect(await checksummedAddress('f39fd6e51aad88f6f4ce6ab8827279cfffb92266')).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    const a = privateKeyToAddress(generatePrivateKey())
    expect(await checksummedAddress(a.toLowerCase())).toBe(getAddress(a))
    for (const bad of ['', '0x', 'zz', '0x1234', 'f39fd6e51aad88f6f4ce6ab8827279cfffb9226g']) expect(await checksummedAddress(bad), bad).toBeUndefined()
  })
})
