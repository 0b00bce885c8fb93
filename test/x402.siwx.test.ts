import { Wallet as EthersWallet } from 'ethers'
import { createPublicClient, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { base } from 'viem/chains'
import { parseSiweMessage, verifySiweMessage } from 'viem/siwe'
import { describe, expect, it } from 'vitest'
import { createSiwxHeader, SIWX_HEADER, withSiwx } from '../src/venice/siwx.js'
import { toSigner } from '../src/wallet/accounts/toSigner.js'

const decode = (header: string) =>
  JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
    address: string
    message: string
    signature: `0x${string}`
    timestamp: number
    chainId: number
  }
// verifySiweMessage only needs a client for smart-contract wallets; an EOA signature is checked offline.
const client = createPublicClient({ chain: base, transport: http('http://127.0.0.1:1') })

describe('SIGN-IN-WITH-X header', () => {
  it("is the spec's base64 JSON with an EIP-4361 message that verifies for the wallet, with a fresh nonce and a short expiry", async () => {
    const key = generatePrivateKey()
    const signer = await toSigner(privateKeyToAccount(key))
    const now = Date.parse('2026-12-05T12:00:00Z')
    const header = await createSiwxHeader({ signer, chainId: 8453, now: () => now })
    const h = decode(header)
    expect(h).toMatchObject({ address: signer.address, chainId: 8453, timestamp: now })
    const m = parseSiweMessage(h.message)
    expect(m).toMatchObject({
      domain: 'api.venice.ai',
      uri: 'https://api.venice.ai',
      version: '1',
      chainId: 8453,
      address: signer.address,
      statement: 'Sign in to Venice API',
    })
    expect(m.nonce).toMatch(/^[0-9a-f]{16}$/)
    expect(m.expirationTime!.getTime() - m.issuedAt!.getTime()).toBe(60_000)
    expect(await verifySiweMessage(client, { message: h.message, signature: h.signature, time: new Date(now + 1000) })).toBe(true)
    expect(await verifySiweMessage(client, { message: h.message, signature: h.signature, time: new Date(now + 61_000) })).toBe(false) // expired
    const again = decode(await createSiwxHeader({ signer, chainId: 8453, now: () => now }))
    expect(parseSiweMessage(again.message).nonce).not.toBe(m.nonce)
  })

  it('an ethers Signer and a viem account of the same key sign the same message alike', async () => {
    const key = generatePrivateKey()
    const viemSigner = await toSigner(privateKeyToAccount(key))
    const ethersSigner = await toSigner(new EthersWallet(key))
    const message = 'Sign in to Venice API'
    expect(await ethersSigner.signMessage(message)).toBe(await viemSigner.signMessage(message))
    const h = decode(await createSiwxHeader({ signer: ethersSigner, chainId: 31337 }))
    expect(parseSiweMessage(h.message)).toMatchObject({ domain: 'api.venice.ai', uri: 'https://api.venice.ai', chainId: 31337 })
    expect(await verifySiweMessage(client, { message: h.message, signature: h.signature })).toBe(true)
  })

  it('withSiwx sends a fresh header on every request and never an Authorization header', async () => {
    const signer = await toSigner(privateKeyToAccount(generatePrivateKey()))
    const seen: Headers[] = []
    const f = withSiwx(
      async (_input, init) => {
        seen.push(new Headers(init?.headers))
        return new Response('{}')
      },
      { signer, chainId: 8453 },
    )
    await f('https://api.venice.ai/api/v1/models', { headers: { authorization: 'Bearer no-key' } })
    await f('https://api.venice.ai/api/v1/models')
    expect(seen.map((h) => h.get('authorization'))).toEqual([null, null])
    const nonces = seen.map((h) => parseSiweMessage(decode(h.get(SIWX_HEADER)!).message).nonce)
    expect(new Set(nonces).size).toBe(2)
  })
})
