import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { priceOf } from '../devnet/src/emulator/catalog/models.js'
import { loadCatalog } from '../devnet/src/emulator/catalog/models.js'
import { EMULATOR_X402_PAYEE, USDC_BASE } from '../devnet/src/emulator/x402/config.js'
import { SIWX_ERRORS } from '../devnet/src/emulator/x402/siwx.js'
import { siwxHeader } from './helpers/siwx.js'
import { ALICE, expectSpecResponse, expectSpecSchema, useEmulator } from './helpers/useEmulator.js'

// In process, no chain: SIWX, credits, the 402 bodies and the x402 read routes. Settlement on anvil: emulator.x402.settle.test.ts.
const CHAIN = 31337
const emulator = useEmulator({ stakes: { [ALICE]: { svvv: 10n ** 18n } }, x402: { chainId: CHAIN } })
const fresh = () => privateKeyToAccount(generatePrivateKey())

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const res = await fetch(emulator().baseURL + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  return { status: res.status, headers: res.headers, json: (await res.json()) as any }
}
const chatBody = { model: 'qwen3-4b', messages: [{ role: 'user', content: 'hello there' }] }
const signIn = async (account = fresh(), extra: Parameters<typeof siwxHeader>[1] extends infer O ? Partial<O> : never = {}) => ({
  account,
  header: await siwxHeader(account, { chainId: CHAIN, now: emulator().now(), ...extra }),
})

describe('x402 on the emulator: requirements and 402 bodies', () => {
  it('POST /x402/top-up without payment: 402 with the spec body and a PAYMENT-REQUIRED header of the same accepts', async () => {
    const res = await send('/x402/top-up', { method: 'POST' })
    expect(res.status).toBe(402)
    expectSpecResponse('/x402/top-up', 'post', 402, res.json)
    expect(res.json).toEqual({
      x402Version: 2,
      accepts: [
        {
          scheme: 'exact',
          network: `eip155:${CHAIN}`,
          amount: '5000000',
          asset: USDC_BASE,
          payTo: EMULATOR_X402_PAYEE,
          maxTimeoutSeconds: 300,
          extra: { name: 'USD Coin', version: '2' },
        },
      ],
    })
    const header = decodePaymentRequiredHeader(res.headers.get('payment-required')!)
    expect(header.accepts).toEqual(res.json.accepts)
    expect(header.resource.url).toBe(`${emulator().baseURL}/x402/top-up`)
    expect(emulator().x402.payTo).toBe(EMULATOR_X402_PAYEE)
  })

  it('inference with neither a key nor SIWX: the discovery 402 (X402InferencePaymentRequired, first form)', async () => {
    const res = await send('/chat/completions', { body: chatBody })
    expect(res.status).toBe(402)
    expectSpecResponse('/chat/completions', 'post', 402, res.json)
    expect(res.json.extensions['sign-in-with-x'].info.domain).toBe('api.venice.ai')
    expect(res.json.extensions['sign-in-with-x'].supportedChains).toEqual([{ chainId: `eip155:${CHAIN}`, type: 'eip191' }])
    expect(decodePaymentRequiredHeader(res.headers.get('payment-required')!).accepts[0]!.payTo).toBe(EMULATOR_X402_PAYEE)
  })

  it('a SIWX wallet without credits: 402 PAYMENT_REQUIRED with top-up instructions; nothing charged', async () => {
    const { account, header } = await signIn()
    const res = await send('/chat/completions', { body: chatBody, headers: { 'SIGN-IN-WITH-X': header } })
    expect(res.status).toBe(402)
    // The path's oneOf cannot decide this form (it also matches StandardError): check the named schema.
    expectSpecSchema('X402InferencePaymentRequired', res.json)
    expect(res.json).toMatchObject({ code: 'PAYMENT_REQUIRED', reason: 'insufficient_balance', currentBalanceUsd: 0, minimumTopUpUsd: 5 })
    expect(res.json.topUpInstructions).toMatchObject({ receiverWallet: EMULATOR_X402_PAYEE, tokenAddress: USDC_BASE, network: `eip155:${CHAIN}` })
    expect(res.headers.get('payment-required')).toBeTruthy()
    const tx = await send(`/x402/transactions/${account.address}`, { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(tx.json.data.transactions).toEqual([])
  })
})

describe('x402 on the emulator: SIWX inference is debited at the Bearer price', () => {
  it('debits the credits by the model price, sets X-Balance-Remaining, and lists the charge', async () => {
    const { account, header } = await signIn()
    emulator().setX402Balance(account.address, 1)
    const res = await send('/chat/completions', { body: chatBody, headers: { 'SIGN-IN-WITH-X': header } })
    expect(res.status).toBe(200)
    expectSpecResponse('/chat/completions', 'post', 200, res.json)
    const model = loadCatalog().byId.get('qwen3-4b')!
    const cost = priceOf(model, res.json.usage.prompt_tokens, res.json.usage.completion_tokens)
    expect(cost).toBeGreaterThan(0)
    expect(res.json.cost).toEqual({ diem: 0, usd: cost })
    expect(res.headers.get('x-balance-remaining')).toBe((1 - cost).toFixed(6))
    expect(res.headers.get('x-venice-balance-usd')).toBeNull()
    // The same request on an API key costs the same (one price, two rails).
    const { apiKey } = emulator().createKey(ALICE)
    const keyed = await send('/chat/completions', { body: chatBody, headers: { authorization: `Bearer ${apiKey}` } })
    expect(keyed.json.cost.diem + keyed.json.cost.usd).toBeCloseTo(cost, 12)

    const balance = await send(`/x402/balance/${account.address.toLowerCase()}`, { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(balance.status).toBe(200)
    expectSpecResponse('/x402/balance/{walletAddress}', 'get', 200, balance.json)
    expect(balance.json.data).toEqual({
      walletAddress: account.address.toLowerCase(),
      balanceUsd: Math.round((1 - cost) * 1e8) / 1e8,
      canConsume: true,
      minimumTopUpUsd: 5,
      suggestedTopUpUsd: 10,
    })
    const tx = await send(`/x402/transactions/${account.address}`, { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(tx.status).toBe(200)
    expectSpecResponse('/x402/transactions/{walletAddress}', 'get', 200, tx.json)
    expect(tx.json.data.transactions).toEqual([
      expect.objectContaining({ type: 'CHARGE', amount: -Math.round(cost * 1e8) / 1e8, requestId: res.json.id, modelId: 'qwen3-4b' }),
    ])
  })

  it('the last call is capped at what is left; then 402', async () => {
    const { account, header } = await signIn()
    emulator().setX402Balance(account.address, 0.0015)
    const long = { model: 'qwen3-4b', messages: [{ role: 'user', content: 'x'.repeat(200_000) }] }
    const first = await send('/chat/completions', { body: long, headers: { 'SIGN-IN-WITH-X': header } })
    expect(first.status).toBe(200)
    expect(first.headers.get('x-balance-remaining')).toBe('0.000000')
    const second = await send('/chat/completions', { body: chatBody, headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(second.status).toBe(402)
    expect(second.json.currentBalanceUsd).toBe(0)
  })

  it('embeddings accept SIWX too (the spec secures every inference route with BearerAuth or siwx)', async () => {
    const { account, header } = await signIn()
    emulator().setX402Balance(account.address, 1)
    const res = await send('/embeddings', { body: { model: 'text-embedding-bge-m3', input: 'x'.repeat(40_000) }, headers: { 'X-Sign-In-With-X': header } })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-balance-remaining')).toBe((1 - (10_000 * 0.15) / 1e6).toFixed(6))
  })

  it('a streamed completion carries X-Balance-Remaining too', async () => {
    const { account, header } = await signIn()
    emulator().setX402Balance(account.address, 2)
    const res = await fetch(`${emulator().baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'SIGN-IN-WITH-X': header },
      body: JSON.stringify({ ...chatBody, stream: true }),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('data: [DONE]')
    expect(Number(res.headers.get('x-balance-remaining'))).toBeLessThanOrEqual(2)
    expect(res.headers.get('x-balance-remaining')).toMatch(/^\d+\.\d{6}$/)
  })

  it('scripted responses can be queued for a SIWX wallet by its address', async () => {
    const { account, header } = await signIn()
    emulator().setX402Balance(account.address, 1)
    emulator().script(account.address, [{ content: 'scripted for a wallet' }])
    const res = await send('/chat/completions', { body: chatBody, headers: { 'SIGN-IN-WITH-X': header } })
    expect(res.json.choices[0].message.content).toBe('scripted for a wallet')
  })
})

describe('x402 on the emulator: SIWX refusals', () => {
  const refused = async (header: string, error: string) => {
    const res = await send('/chat/completions', { body: chatBody, headers: { 'SIGN-IN-WITH-X': header } })
    expect(res.status).toBe(401)
    expectSpecResponse('/chat/completions', 'post', 401, res.json)
    expect(res.json).toEqual({ error })
  }

  it('refuses a replayed nonce, a wrong domain, a wrong chain, an expired or not-yet-valid message, and another signer', async () => {
    const { account, header } = await signIn()
    emulator().setX402Balance(account.address, 1)
    expect((await send('/chat/completions', { body: chatBody, headers: { 'SIGN-IN-WITH-X': header } })).status).toBe(200)
    await refused(header, SIWX_ERRORS.replayed)
    await refused((await signIn(account, { domain: 'evil.example' })).header, SIWX_ERRORS.domain)
    await refused((await signIn(account, { chainId: 8453 })).header, SIWX_ERRORS.chain)
    await refused((await signIn(account, { now: emulator().now() - 700_000 })).header, SIWX_ERRORS.expired)
    await refused((await signIn(account, { notBefore: emulator().now() + 60_000 })).header, SIWX_ERRORS.notYetValid)
    await refused((await signIn(account, { signer: fresh() })).header, SIWX_ERRORS.signature)
    await refused(Buffer.from('not json').toString('base64'), SIWX_ERRORS.malformed)
    // Moving the emulator clock past the expiration refuses a message signed before.
    const late = await signIn(account, { ttlMs: 60_000 })
    emulator().advance(61_000)
    await refused(late.header, SIWX_ERRORS.expired)
  })

  it('balance and transactions: 401 without SIWX, 400 for a malformed address, 403 for another wallet', async () => {
    const { account } = await signIn()
    const noAuth = await send(`/x402/balance/${account.address}`)
    expect(noAuth.status).toBe(401)
    expectSpecResponse('/x402/balance/{walletAddress}', 'get', 401, noAuth.json)
    const bad = await send('/x402/balance/0x1234', { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(bad.status).toBe(400)
    expectSpecResponse('/x402/balance/{walletAddress}', 'get', 400, bad.json)
    const other = await send(`/x402/transactions/${fresh().address}`, { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(other.status).toBe(403)
    expectSpecResponse('/x402/transactions/{walletAddress}', 'get', 403, other.json)
    const page = await send(`/x402/transactions/${account.address}?limit=0`, { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(page.status).toBe(400)
    expectSpecResponse('/x402/transactions/{walletAddress}', 'get', 400, page.json)
    // offset is a nullable integer: its text "0" is read as 0, as the spec's example sends it.
    const first = await send(`/x402/transactions/${account.address}?limit=10&offset=0`, { headers: { 'SIGN-IN-WITH-X': (await signIn(account)).header } })
    expect(first.status).toBe(200)
    expectSpecResponse('/x402/transactions/{walletAddress}', 'get', 200, first.json)
  })
})

describe('x402 on the emulator: payments refused before anything is submitted', () => {
  const payment = (accepted: Record<string, unknown>) =>
    encodePaymentSignatureHeader({
      x402Version: 2,
      accepted: {
        scheme: 'exact',
        network: `eip155:${CHAIN}`,
        amount: '5000000',
        asset: USDC_BASE,
        payTo: EMULATOR_X402_PAYEE,
        maxTimeoutSeconds: 300,
        extra: { name: 'USD Coin', version: '2' },
        ...accepted,
      } as never,
      payload: {
        signature: `0x${'11'.repeat(65)}`,
        authorization: { from: ALICE, to: EMULATOR_X402_PAYEE, value: '5000000', validAfter: '0', validBefore: '9999999999', nonce: `0x${'22'.repeat(32)}` },
      },
    })
  const refused = async (header: string, headerName: string, reason: string) => {
    const res = await send('/x402/top-up', { method: 'POST', headers: { [headerName]: header } })
    expect(res.status).toBe(400)
    expectSpecResponse('/x402/top-up', 'post', 400, res.json)
    expect(res.json).toMatchObject({ error: 'X402_INVALID_PAYMENT', details: { reason } })
  }

  it('names the reason: malformed, wrong payee, wrong asset, wrong network, below the minimum', async () => {
    await refused('%%%', 'PAYMENT-SIGNATURE', 'invalid_payload')
    await refused(payment({ payTo: ALICE }), 'PAYMENT-SIGNATURE', 'payto_mismatch')
    await refused(payment({ asset: ALICE }), 'X-402-Payment', 'asset_mismatch')
    await refused(payment({ network: 'eip155:8453' }), 'X-PAYMENT', 'network_mismatch')
    await refused(payment({ amount: '4999999' }), 'PAYMENT-SIGNATURE', 'amount_below_minimum')
  })

  it('a payment that passes the offer checks on an emulator without a settlement chain: 500 X402_SETTLEMENT_FAILED, nothing credited', async () => {
    const res = await send('/x402/top-up', { method: 'POST', headers: { 'PAYMENT-SIGNATURE': payment({ amount: '6000000' }) } })
    expect(res.status).toBe(500)
    expectSpecResponse('/x402/top-up', 'post', 500, res.json)
    expect(res.json).toMatchObject({ error: 'X402_SETTLEMENT_FAILED', details: { reason: 'settlement_unavailable' } })
  })
})
