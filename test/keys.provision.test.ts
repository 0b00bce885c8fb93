import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { Wallet as EthersWallet } from 'ethers'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { InvalidKeyRequestError, KeyMintRejectedError, KeyMismatchError, NotStakedError, TokenExpiredError, UnreconciledMintError } from '../src/keys/errors.js'
import { provisionApiKey } from '../src/keys/provisionApiKey.js'
import { revokeApiKey } from '../src/keys/revokeApiKey.js'
import { rotateApiKey } from '../src/keys/rotateApiKey.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { AuthenticationError } from '../src/venice/errors.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { devStake } from '../devnet/src/devnet/devStake.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

const account = (i: number) => privateKeyToAccount(devnet().accounts[i]!.privateKey)
const newStore = async () => KeyStore.open({ path: join(await mkdtemp(join(tmpdir(), 'gondola-prov-')), 'keys.json') })
const inference = { apiKeyType: 'INFERENCE' as const, description: 'treasurer', consumptionLimit: { diem: 1.5 }, limitPeriod: 'EPOCH' as const }

/** A fetch that counts requests and lets a test intercept the web3 POST. */
function instrumentedFetch(onMintPost?: (url: string, init: RequestInit, real: typeof fetch) => Promise<Response>) {
  const calls: string[] = []
  const f: typeof fetch = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input)
    calls.push(`${init.method ?? 'GET'} ${new URL(url).pathname}`)
    if (onMintPost && init.method === 'POST' && url.endsWith('/generate_web3_key')) return onMintPost(url, init, fetch)
    return fetch(input, init)
  }
  return { fetch: f, calls }
}

describe('provisionApiKey (emulator + anvil)', () => {
  it('mints an ADMIN key, then a limited INFERENCE key read back and verified; the store is 0600', async () => {
    await devStake(devnet(), 1, parseEther('100'))
    const store = await newStore()
    const { fetch, calls } = instrumentedFetch()
    const baseURL = emulator().baseURL
    const admin = await provisionApiKey({ signer: account(1), baseURL, store, fetch, apiKeyType: 'ADMIN', description: 'gondola admin' })
    expect(admin.verified).toBe(true)
    const agent = await provisionApiKey({ signer: account(1), baseURL, store, fetch, agent: 'treasurer', ...inference })
    expect(agent.verified).toBe(true)
    expect(agent.key).toMatchObject({ apiKeyType: 'INFERENCE', agent: 'treasurer', consumptionLimit: { diem: 1.5 }, limitPeriod: 'EPOCH' })
    expect(calls).toEqual([
      'GET /api/v1/api_keys/generate_web3_key',
      'POST /api/v1/api_keys/generate_web3_key',
      `GET /api/v1/api_keys/${admin.key.id}`,
      'GET /api/v1/api_keys/generate_web3_key',
      'POST /api/v1/api_keys/generate_web3_key',
      `GET /api/v1/api_keys/${agent.key.id}`,
    ])
    expect((await stat(store.path)).mode & 0o777).toBe(0o600)
    expect(store.keys('ADMIN')).toHaveLength(1)
    expect(store.keys('INFERENCE')).toHaveLength(1)
    // The INFERENCE key works for inference and nothing else.
    const openai = new OpenAI({ apiKey: agent.reveal(), baseURL, maxRetries: 0 })
    const chat = await openai.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hello' }] })
    expect(chat.choices[0]?.message.content).toBeTruthy()
    await expect(createVeniceClient({ baseURL, apiKey: agent.reveal(), maxRetries: 0 }).listApiKeys()).rejects.toBeInstanceOf(AuthenticationError)
    expect(JSON.stringify(store.summaries())).not.toContain(agent.reveal())
  })

  it('accepts an ethers Signer', async () => {
    await devStake(devnet(), 2, parseEther('10'))
    const store = await newStore()
    const signer = new EthersWallet(devnet().accounts[2]!.privateKey)
    const admin = await provisionApiKey({ signer, baseURL: emulator().baseURL, store, apiKeyType: 'ADMIN', description: 'ethers admin' })
    expect(admin.key.wallet).toBe(devnet().accounts[2]!.address)
  })

  it('rejects a bad request before anything is sent', async () => {
    const { fetch, calls } = instrumentedFetch()
    const base = { signer: account(1), baseURL: emulator().baseURL, store: await newStore(), fetch }
    await expect(provisionApiKey({ ...base, apiKeyType: 'INFERENCE', description: 'no limit' })).rejects.toBeInstanceOf(InvalidKeyRequestError)
    await expect(provisionApiKey({ ...base, ...inference, consumptionLimit: { diem: -1 } })).rejects.toThrow(/consumptionLimit.diem/)
    await expect(provisionApiKey({ ...base, ...inference, expiresAt: '2001-01-01' })).rejects.toThrow(/in the past/)
    await expect(provisionApiKey({ ...base, ...inference, description: 'x'.repeat(41) })).rejects.toThrow(/description/)
    expect(calls).toEqual([])
  })

  it('NotStakedError for a wallet without sVVV, and no attempt is left behind', async () => {
    const store = await newStore()
    const err = await provisionApiKey({ signer: account(7), baseURL: emulator().baseURL, store, apiKeyType: 'ADMIN', description: 'x' }).catch((e) => e)
    expect(err).toBeInstanceOf(NotStakedError)
    expect(err.metaMessages.join(' ')).toMatch(/gondola stake/)
    expect(store.pendingAttempts()).toEqual([])
  })

  it('fetches a new token once when the first one expired while signing; twice is a typed error', async () => {
    await devStake(devnet(), 3, parseEther('1'))
    const slowSigner = (expiries: number) => {
      const real = account(3)
      let left = expiries
      return {
        address: real.address,
        signMessage: async (message: string) => {
          if (left-- > 0) emulator().advance(16 * 60_000) // the token (15 min) expires before the POST
          return real.signMessage({ message })
        },
        signTransaction: real.signTransaction,
      }
    }
    const store = await newStore()
    const ok = await provisionApiKey({
      signer: slowSigner(1),
      baseURL: emulator().baseURL,
      store,
      now: () => emulator().now(),
      apiKeyType: 'ADMIN',
      description: 'slow',
    })
    expect(ok.verified).toBe(true)
    const err = await provisionApiKey({ signer: slowSigner(2), baseURL: emulator().baseURL, store, now: () => emulator().now(), ...inference }).catch((e) => e)
    expect(err).toBeInstanceOf(TokenExpiredError)
    expect(store.pendingAttempts()).toEqual([])
  })

  it('retries "Could not verify wallet signature" with backoff', async () => {
    await devStake(devnet(), 4, parseEther('1'))
    let failures = 2
    const { fetch, calls } = instrumentedFetch(async (url, init, real) =>
      failures-- > 0 ? Response.json({ error: 'Could not verify wallet signature' }, { status: 400 }) : real(url, init),
    )
    const sleeps: number[] = []
    const key = await provisionApiKey({
      signer: account(4),
      baseURL: emulator().baseURL,
      store: await newStore(),
      fetch,
      sleep: async (ms) => void sleeps.push(ms),
      apiKeyType: 'ADMIN',
      description: 'retry',
    })
    expect(key.verified).toBe(true)
    // The shared retry policy's backoff: 0.5 s, then 1 s, each less up to 25 % jitter.
    expect(sleeps).toHaveLength(2)
    expect(sleeps[0]).toBeGreaterThanOrEqual(375)
    expect(sleeps[0]).toBeLessThanOrEqual(500)
    expect(sleeps[1]).toBeGreaterThanOrEqual(750)
    expect(sleeps[1]).toBeLessThanOrEqual(1000)
    expect(calls.filter((c) => c.startsWith('POST'))).toHaveLength(3)
  })

  it('a signature from another key is fatal with the server message', async () => {
    await devStake(devnet(), 5, parseEther('1'))
    const liar = {
      address: account(5).address,
      signMessage: (message: string) => account(6).signMessage({ message }),
      signTransaction: account(5).signTransaction,
    }
    const err = await provisionApiKey({ signer: liar, baseURL: emulator().baseURL, store: await newStore(), apiKeyType: 'ADMIN', description: 'liar' }).catch(
      (e) => e,
    )
    expect(err).toBeInstanceOf(KeyMintRejectedError)
    expect(err.shortMessage).toContain('Wallet signature does not match')
  })

  it('a crash between the POST and the store is reconciled on the next run: orphan revoked, no duplicate', async () => {
    await devStake(devnet(), 1, parseEther('100'))
    const store = await newStore()
    const baseURL = emulator().baseURL
    const admin = await provisionApiKey({ signer: account(1), baseURL, store, apiKeyType: 'ADMIN', description: 'admin' })
    const adminClient = createVeniceClient({ baseURL, apiKey: admin.reveal(), maxRetries: 0 })
    const before = (await adminClient.listApiKeys()).length
    // The server mints, then the connection dies before the answer is read: the process "crashes" here.
    const crashing = instrumentedFetch(async (url, init, real) => {
      await real(url, init)
      throw new TypeError('socket hang up')
    })
    await expect(provisionApiKey({ signer: account(1), baseURL, store, fetch: crashing.fetch, ...inference })).rejects.toThrow()
    expect(store.pendingAttempts()).toHaveLength(1)
    expect(await adminClient.listApiKeys()).toHaveLength(before + 1) // the orphan exists on the server
    const orphanTag = store.pendingAttempts()[0]!.attemptId

    const rerun = await provisionApiKey({ signer: account(1), baseURL, store: await KeyStore.open({ path: store.path }), ...inference })
    expect(rerun.reconciled.revoked).toHaveLength(1)
    const after = await adminClient.listApiKeys()
    expect(after).toHaveLength(before + 1) // the orphan is gone, the new key is there
    expect(after.some((k) => k.description?.includes(orphanTag))).toBe(false)
    expect(after.some((k) => k.id === rerun.key.id)).toBe(true)
  })

  it('an interrupted mint without an ADMIN key kept refuses to mint blindly', async () => {
    await devStake(devnet(), 2, parseEther('1'))
    const store = await newStore()
    const crashing = instrumentedFetch(async () => {
      throw new TypeError('socket hang up')
    })
    await expect(provisionApiKey({ signer: account(2), baseURL: emulator().baseURL, store, fetch: crashing.fetch, ...inference })).rejects.toThrow()
    await expect(provisionApiKey({ signer: account(2), baseURL: emulator().baseURL, store, ...inference })).rejects.toBeInstanceOf(UnreconciledMintError)
    // Minting the ADMIN key settles it.
    const admin = await provisionApiKey({ signer: account(2), baseURL: emulator().baseURL, store, apiKeyType: 'ADMIN', description: 'admin' })
    expect(admin.reconciled.cleared).toHaveLength(1)
    expect(store.pendingAttempts()).toEqual([])
  })

  it('a key that comes back with other limits than asked is revoked and the mint fails', async () => {
    await devStake(devnet(), 1, parseEther('100'))
    const store = await newStore()
    const baseURL = emulator().baseURL
    await provisionApiKey({ signer: account(1), baseURL, store, apiKeyType: 'ADMIN', description: 'admin' })
    // A server that ignores the requested limit: the POST body is rewritten on the wire.
    const tampering = instrumentedFetch(async (url, init, real) => {
      const body = JSON.parse(String(init.body))
      return real(url, { ...init, body: JSON.stringify({ ...body, consumptionLimit: { diem: 99 } }) })
    })
    const err = await provisionApiKey({ signer: account(1), baseURL, store, fetch: tampering.fetch, ...inference }).catch((e) => e)
    expect(err).toBeInstanceOf(KeyMismatchError)
    expect(err.metaMessages).toEqual(['diem limit is 99, wanted 1.5'])
    expect(store.keys('INFERENCE')).toEqual([])
    const adminClient = createVeniceClient({ baseURL, apiKey: store.reveal(store.keys('ADMIN')[0]!.id), maxRetries: 0 })
    expect((await adminClient.listApiKeys()).filter((k) => k.consumptionLimits.diem === 99)).toEqual([])
  })

  it('rotate mints the replacement before revoking the old key; revoke forgets it', async () => {
    await devStake(devnet(), 1, parseEther('100'))
    const store = await newStore()
    const baseURL = emulator().baseURL
    await provisionApiKey({ signer: account(1), baseURL, store, apiKeyType: 'ADMIN', description: 'admin' })
    const first = await provisionApiKey({ signer: account(1), baseURL, store, agent: 'bot', ...inference })
    const oldSecret = first.reveal()
    const next = await rotateApiKey({ store, baseURL, signer: account(1), id: first.key.id, overrides: { consumptionLimit: { diem: 3 } } })
    expect(next.revoked).toBe(first.key.id)
    expect(next.key).toMatchObject({ agent: 'bot', consumptionLimit: { diem: 3 }, limitPeriod: 'EPOCH' })
    const chat = (apiKey: string) =>
      new OpenAI({ apiKey, baseURL, maxRetries: 0 }).chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] })
    await expect(chat(oldSecret)).rejects.toMatchObject({ status: 401 })
    await expect(chat(next.reveal())).resolves.toBeTruthy()
    const nextSecret = next.reveal()
    await revokeApiKey({ store, baseURL, id: next.key.id })
    expect(store.keys('INFERENCE')).toEqual([])
    await expect(chat(nextSecret)).rejects.toMatchObject({ status: 401 })
  })
})
