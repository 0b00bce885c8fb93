import OpenAI from 'openai'
import { SignJWT } from 'jose'
import { parseEther, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { createChainReader } from '../devnet/src/emulator/chainReader.js'
import { useDevnet } from './helpers/useDevnet.js'
import { devStake } from '../devnet/src/devnet/devStake.js'
import { call, expectSpecResponse, useEmulatorOn } from './helpers/useEmulator.js'

const secret = new Uint8Array(32).fill(7)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { jwtSecret: secret, dailyPoolDiem: 1000 })

const stake = (index: number, amount: bigint): Promise<Address> => devStake(devnet(), index, amount)

async function getToken(): Promise<string> {
  const res = await call(emulator().baseURL, '/api_keys/generate_web3_key')
  expect(res.status).toBe(200)
  expectSpecResponse('/api_keys/generate_web3_key', 'get', 200, res.json)
  return res.json.data.token as string
}

const accountOf = (index: number) => privateKeyToAccount(devnet().accounts[index]!.privateKey)

async function post(body: Record<string, unknown>) {
  return call(emulator().baseURL, '/api_keys/generate_web3_key', { body })
}

describe('web3 key flow against a real stake on anvil', () => {
  it('mints a key for a staked wallet; balances follow its share of the pool', async () => {
    const me = await stake(1, parseEther('100'))
    const token = await getToken()
    const signature = await accountOf(1).signMessage({ message: token })
    const res = await post({ address: me, signature, token, apiKeyType: 'ADMIN', consumptionLimit: { diem: 5 }, limitPeriod: 'MONTH' })
    expect(res.status).toBe(200)
    expectSpecResponse('/api_keys/generate_web3_key', 'post', 200, res.json)
    expect(res.json.data).toMatchObject({
      apiKeyType: 'ADMIN',
      consumptionLimit: { diem: 5, usd: null },
      limitPeriod: 'MONTH',
      description: 'Web3 API Key',
      expiresAt: null,
    })
    const apiKey = res.json.data.apiKey as string
    // The key is shown once: listing never returns it.
    const list = await call(emulator().baseURL, '/api_keys', { apiKey })
    expectSpecResponse('/api_keys', 'get', 200, list.json)
    expect(JSON.stringify(list.json)).not.toContain(apiKey)
    expect(list.json.data[0].last6Chars).toBe(apiKey.slice(-6))
    const { svvv, totalSvvv } = await createChainReader({ publicClient: devnet().publicClient, addresses: devnet().addresses }).getStake(me)
    expect(svvv).toBe(parseEther('100'))
    const share = Number((svvv * 10n ** 12n) / totalSvvv) / 1e12
    const { response } = await new OpenAI({ apiKey, baseURL: emulator().baseURL, maxRetries: 0 }).chat.completions
      .create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(Number(response.headers.get('x-venice-balance-diem'))).toBeCloseTo(share * 1000, 6)
  })

  it('accepts the body as a JavaScript fetch sends a string: text/plain, or no content type at all (#29)', async () => {
    // fetch(url, { method: 'POST', body: JSON.stringify(...) }) with no headers sends text/plain;charset=UTF-8.
    const me = await stake(2, parseEther('10'))
    const url = `${emulator().baseURL}/api_keys/generate_web3_key`
    const mint = async (headers: Record<string, string>, withContentType: boolean) => {
      const token = await getToken()
      const signature = await accountOf(2).signMessage({ message: token })
      const body = JSON.stringify({ address: me, signature, token, apiKeyType: 'INFERENCE', description: 'Agent key' })
      const res = withContentType ? await fetch(url, { method: 'POST', headers, body }) : await fetch(url, { method: 'POST', headers, body: new Blob([body]) }) // a Blob without a type: no Content-Type header
      return { status: res.status, json: (await res.json()) as { data: { apiKey: string; apiKeyType: string } } }
    }
    for (const [headers, withContentType] of [
      [{}, true],
      [{ 'content-type': 'text/plain' }, true],
      [{}, false],
    ] as const) {
      const res = await mint(headers, withContentType)
      expect(res.status).toBe(200)
      expectSpecResponse('/api_keys/generate_web3_key', 'post', 200, res.json)
      expect(res.json.data).toMatchObject({ apiKeyType: 'INFERENCE', description: 'Agent key' })
    }
    // Still a JSON body: anything else is the spec's 400, whatever its content type.
    const bad = await fetch(url, { method: 'POST', body: 'address=0x1' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: expect.any(String) })
  })

  it('answers every failure with the exact Venice message', async () => {
    const me = await stake(2, parseEther('1'))
    const token = await getToken()
    const signature = await accountOf(2).signMessage({ message: token })
    const base = { address: me, signature, token, apiKeyType: 'INFERENCE' }
    const expectError = async (body: Record<string, unknown>, message: string) => {
      const res = await post(body)
      expect(res.status).toBe(400)
      expect(res.json.error).toBe(message)
    }
    await expectError({ ...base, address: '0x1234' }, 'Invalid wallet address')
    await expectError({ ...base, token: 'not-a-jwt' }, 'JWT is malformed')
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('venice-emulator')
      .setAudience('generate_web3_key')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(new Uint8Array(32).fill(9))
    await expectError({ ...base, token: foreign, signature: await accountOf(2).signMessage({ message: foreign }) }, 'JWT signature is invalid')
    const wrongAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('venice-emulator')
      .setAudience('elsewhere')
      .setIssuedAt(Math.floor(emulator().now() / 1000))
      .setExpirationTime(Math.floor(emulator().now() / 1000) + 600)
      .sign(secret)
    await expectError({ ...base, token: wrongAudience, signature: await accountOf(2).signMessage({ message: wrongAudience }) }, 'JWT claims are invalid')
    await expectError({ ...base, signature: await accountOf(3).signMessage({ message: token }) }, 'Wallet signature does not match')
    await expectError({ ...base, signature: '0xdeadbeef' }, 'Wallet signature does not match')
    const unstaked = accountOf(4)
    await expectError({ ...base, address: unstaked.address, signature: await unstaked.signMessage({ message: token }) }, 'Wallet has no staked VVV on Base')
    const extra = await post({ ...base, bogus: true })
    expect(extra.status).toBe(400)
    expect(extra.json).toMatchObject({ error: 'Invalid request parameters', details: { _errors: ["Unrecognized key(s) in object: 'bogus'"] } })
    const missing = await post({ address: me, token })
    expect(missing.json.details._errors[0]).toMatch(/is required/)
    // Expiry follows the emulator clock: 15 minutes after issue.
    emulator().advance(15 * 60_000 + 1000)
    try {
      await expectError(base, 'JWT has expired')
    } finally {
      emulator().advance(-(15 * 60_000 + 1000))
    }
    expect((await post(base)).status).toBe(200)
  })
})
