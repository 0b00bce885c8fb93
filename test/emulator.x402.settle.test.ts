import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http'
import type { PaymentRequirements } from '@x402/core/types'
import { ExactEvmScheme } from '@x402/evm'
import { parseUnits, type Address, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { usdcAbi } from '../src/chain/abis/usdc.js'
import { createChainReader } from '../devnet/src/emulator/chainReader.js'
import { startEmulator, type Emulator } from '../devnet/src/emulator/startEmulator.js'
import type { X402Settlement } from '../devnet/src/emulator/x402/config.js'
import { x402SettlementOn } from '../devnet/src/devnet/x402Settlement.js'
import { siwxHeader } from './helpers/siwx.js'
import { useDevnet } from './helpers/useDevnet.js'
import { expectSpecResponse } from './helpers/useEmulator.js'

// Real settlement: the emulator verifies with @x402/evm and submits transferWithAuthorization to the devnet's USDC
// (x402-chain's FiatToken v2.2 stand-in at Base's address) from its own funded account.
const devnet = useDevnet()
let emulator: Emulator
let settlement: X402Settlement
beforeAll(async () => {
  settlement = await x402SettlementOn(devnet())
  emulator = await startEmulator({ chain: createChainReader({ publicClient: devnet().publicClient, addresses: devnet().addresses }), x402: { settlement } })
})
afterAll(async () => {
  await emulator?.stop()
})

const USDC = (n: string): bigint => parseUnits(n, 6)
const usdcOf = (who: Address) => devnet().publicClient.readContract({ address: devnet().addresses.usdc!, abi: usdcAbi, functionName: 'balanceOf', args: [who] })
const facilitatorTxCount = () => devnet().publicClient.getTransactionCount({ address: settlement.walletClient.account.address })

async function payer(usdc: string): Promise<LocalAccount> {
  const account = privateKeyToAccount(generatePrivateKey())
  if (usdc !== '0') await devnet().fund(account.address, { usdc: USDC(usdc) })
  return account
}

async function requirements(): Promise<PaymentRequirements> {
  const res = await fetch(`${emulator.baseURL}/x402/top-up`, { method: 'POST' })
  expect(res.status).toBe(402)
  const body = (await res.json()) as { accepts: PaymentRequirements[] }
  expectSpecResponse('/x402/top-up', 'post', 402, body)
  return body.accepts[0]!
}

/** Signs `accepted` with @x402/evm's client scheme (an EIP-3009 authorization) and encodes the x402 v2 header. */
async function pay(account: LocalAccount, accepted: PaymentRequirements): Promise<string> {
  const { payload } = await new ExactEvmScheme(account).createPaymentPayload(2, accepted)
  return encodePaymentSignatureHeader({ x402Version: 2, accepted, payload })
}

async function topUp(header: string, name = 'PAYMENT-SIGNATURE') {
  const res = await fetch(`${emulator.baseURL}/x402/top-up`, { method: 'POST', headers: { [name]: header } })
  return { status: res.status, headers: res.headers, json: (await res.json()) as any }
}

describe('POST /x402/top-up settles on the devnet chain', () => {
  it('a valid payment credits once, after the receipt; the same payment replayed is refused by the token and credits nothing', async () => {
    const account = await payer('20')
    const offer = await requirements()
    expect(offer.network).toBe(`eip155:${devnet().chainId}`)
    const payTo = offer.payTo as Address
    const payeeBefore = await usdcOf(payTo)
    const header = await pay(account, { ...offer, amount: USDC('7.5').toString() })

    const ok = await topUp(header)
    expect(ok.status).toBe(200)
    expectSpecResponse('/x402/top-up', 'post', 200, ok.json)
    const settled = decodePaymentResponseHeader(ok.headers.get('payment-response')!)
    expect(settled).toMatchObject({ success: true, network: offer.network, payer: account.address })
    expect(ok.json.data).toEqual({
      walletAddress: account.address.toLowerCase(),
      amountCredited: 7.5,
      newBalance: 7.5,
      paymentId: `payment_${settled.transaction}`,
    })
    const receipt = await devnet().publicClient.getTransactionReceipt({ hash: settled.transaction as `0x${string}` })
    expect(receipt.status).toBe('success')
    expect(await usdcOf(account.address)).toBe(USDC('12.5'))
    expect((await usdcOf(payTo)) - payeeBefore).toBe(USDC('7.5'))

    // Replayed (under a legacy header name too): the token's authorizationState says used; nothing credited or moved.
    const txCount = await facilitatorTxCount()
    for (const name of ['PAYMENT-SIGNATURE', 'X-PAYMENT']) {
      const replay = await topUp(header, name)
      expect(replay.status).toBe(400)
      expectSpecResponse('/x402/top-up', 'post', 400, replay.json)
      // details.paymentId: a client that crashed before reading the 200 learns the payment was credited.
      expect(replay.json).toMatchObject({
        error: 'X402_INVALID_PAYMENT',
        details: { reason: 'invalid_exact_evm_nonce_already_used', paymentId: ok.json.data.paymentId },
      })
    }
    expect(await facilitatorTxCount()).toBe(txCount)
    expect((await usdcOf(payTo)) - payeeBefore).toBe(USDC('7.5'))

    const balance = await fetch(`${emulator.baseURL}/x402/balance/${account.address}`, {
      headers: { 'SIGN-IN-WITH-X': await siwxHeader(account, { chainId: devnet().chainId, now: emulator.now() }) },
    })
    expect(((await balance.json()) as any).data.balanceUsd).toBe(7.5)

    // The credits pay for SIWX chat at the model price, X-Balance-Remaining after each call.
    const chat = await fetch(`${emulator.baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'SIGN-IN-WITH-X': await siwxHeader(account, { chainId: devnet().chainId, now: emulator.now() }),
      },
      body: JSON.stringify({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hello' }] }),
    })
    expect(chat.status).toBe(200)
    const completion = (await chat.json()) as any
    expect(chat.headers.get('x-balance-remaining')).toBe((7.5 - completion.cost.usd).toFixed(6))
    const tx = await fetch(`${emulator.baseURL}/x402/transactions/${account.address}`, {
      headers: { 'SIGN-IN-WITH-X': await siwxHeader(account, { chainId: devnet().chainId, now: emulator.now() }) },
    })
    const ledger = (await tx.json()) as any
    expectSpecResponse('/x402/transactions/{walletAddress}', 'get', 200, ledger)
    expect(ledger.data.transactions.map((t: any) => [t.type, t.requestId])).toEqual([
      ['CHARGE', completion.id],
      ['TOP_UP', ok.json.data.paymentId],
    ])
  })

  it('the same payment sent twice at once: one settles, the other is refused, credited once', async () => {
    const account = await payer('10')
    const header = await pay(account, await requirements())
    const results = await Promise.all([topUp(header), topUp(header)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 400])
    for (const r of results) expectSpecResponse('/x402/top-up', 'post', r.status, r.json)
    expect(await usdcOf(account.address)).toBe(USDC('5'))
    const balance = await fetch(`${emulator.baseURL}/x402/balance/${account.address}`, {
      headers: { 'SIGN-IN-WITH-X': await siwxHeader(account, { chainId: devnet().chainId, now: emulator.now() }) },
    })
    expect(((await balance.json()) as any).data.balanceUsd).toBe(5)
  })

  it('top-ups of different wallets at once all settle (the emulator submits them one at a time from its account)', async () => {
    const offer = await requirements()
    const accounts = await Promise.all([payer('5'), payer('5'), payer('5'), payer('5')])
    const headers = await Promise.all(accounts.map((a) => pay(a, offer)))
    const results = await Promise.all(headers.map((h) => topUp(h)))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200])
    for (const a of accounts) expect(await usdcOf(a.address)).toBe(0n)
  })

  it('refuses a wrong payee, a wrong asset, an amount below the minimum, a transfer signed to someone else, or no USDC, before submitting anything', async () => {
    const account = await payer('20')
    const offer = await requirements()
    const other = privateKeyToAccount(generatePrivateKey()).address
    const before = await facilitatorTxCount()
    const cases: Array<[string, string]> = [
      [await pay(account, { ...offer, payTo: other }), 'payto_mismatch'],
      [await pay(account, { ...offer, asset: devnet().addresses.vvv }), 'asset_mismatch'],
      [await pay(account, { ...offer, amount: USDC('4.99').toString() }), 'amount_below_minimum'],
    ]
    // Signed to another payee but labelled with the emulator's offer: @x402/evm's verify catches the recipient.
    const signedToOther = JSON.parse(Buffer.from(await pay(account, { ...offer, payTo: other }), 'base64').toString())
    signedToOther.accepted.payTo = offer.payTo
    cases.push([encodePaymentSignatureHeader(signedToOther), 'invalid_exact_evm_recipient_mismatch'])
    cases.push([await pay(await payer('0'), offer), 'invalid_exact_evm_insufficient_balance'])
    for (const [header, reason] of cases) {
      const res = await topUp(header)
      expect(res.status, reason).toBe(400)
      expectSpecResponse('/x402/top-up', 'post', 400, res.json)
      expect(res.json.details.reason).toBe(reason)
    }
    expect(await facilitatorTxCount()).toBe(before)
    expect(await usdcOf(account.address)).toBe(USDC('20'))
  })
})
