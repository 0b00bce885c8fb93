import { join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { provisionApiKey } from '../src/keys/provisionApiKey.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { call, useEmulatorOn } from './helpers/useEmulator.js'
import { stakedWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, adminEndpoint: true, recordRequests: true })

describe('emulator faults with scope "all"', () => {
  it('reach the key flow and key management routes; the default scope and the admin routes stay clean', async () => {
    const base = emulator().baseURL
    emulator().setFaults({ rate500: 1 })
    try {
      expect((await call(base, '/api_keys/generate_web3_key')).status).toBe(200) // inference scope: untouched
      const set = await call(base, '/_emulator/faults', { body: { rate500: 1, scope: 'all' } })
      expect(set.status).toBe(200) // the admin route itself never fails
      const token = await call(base, '/api_keys/generate_web3_key')
      expect(token.status).toBe(500)
      expect(token.json).toEqual({ error: 'An unknown error occurred' })
      expect((await call(base, '/models')).status).toBe(500)
      emulator().setFaults({ dropRate: 1, scope: 'all' })
      await expect(fetch(`${base}/api_keys/generate_web3_key`)).rejects.toThrow(/fetch failed/)
      emulator().setFaults({ rate503: 1, scope: 'all' })
      expect((await call(base, '/api_keys', { apiKey: 'vk_whatever' })).status).toBe(503)
    } finally {
      emulator().setFaults({})
    }
    expect((await call(base, '/api_keys/generate_web3_key')).status).toBe(200)
  })

  it('the provisioner rides out 500s and dropped connections on every route: keys minted, none lost, none left pending', async () => {
    const wallet = await stakedWallet(devnet(), '10')
    const store = await KeyStore.open({ path: join(wallet.stateDir, 'keys.json') })
    const signer = privateKeyToAccount(wallet.privateKey)
    const baseURL = emulator().baseURL
    // Counts what happened to each mint POST on the wire.
    const mintPosts = { sent: 0, failed: 0 }
    const fetchCounting: typeof fetch = async (input, init) => {
      const isMint = init?.method === 'POST' && String(input).endsWith('/api_keys/generate_web3_key')
      if (isMint) mintPosts.sent++
      try {
        const res = await fetch(input, init)
        if (isMint && res.status >= 500) mintPosts.failed++
        return res
      } catch (err) {
        if (isMint) mintPosts.failed++
        throw err
      }
    }
    emulator().setFaults({ rate500: 0.25, dropRate: 0.15, scope: 'all', seed: 11 })
    try {
      const sleep = async () => {}
      await provisionApiKey({ signer, baseURL, store, apiKeyType: 'ADMIN', description: 'gondola admin', sleep, maxMintAttempts: 6, fetch: fetchCounting })
      for (const agent of ['a1', 'a2', 'a3']) {
        await provisionApiKey({
          signer,
          baseURL,
          store,
          agent,
          apiKeyType: 'INFERENCE',
          description: `agent ${agent}`,
          consumptionLimit: { diem: 0.5 },
          limitPeriod: 'EPOCH',
          sleep,
          maxMintAttempts: 6,
          fetch: fetchCounting,
        })
      }
    } finally {
      emulator().setFaults({})
    }
    const admin = createVeniceClient({ baseURL, apiKey: store.reveal(store.keys('ADMIN')[0]!.id) })
    const server = (await admin.listApiKeys()).map((k) => k.id).sort()
    expect(server).toEqual(
      store
        .keys()
        .map((k) => k.id)
        .sort(),
    )
    expect(store.keys().map((k) => k.agent ?? k.apiKeyType)).toEqual(['ADMIN', 'a1', 'a2', 'a3'])
    expect(store.pendingAttempts()).toEqual([])
    // Faults really hit the mint POST (not only the token GET), and every failed one was settled and retried.
    expect(mintPosts.failed).toBeGreaterThan(0)
    expect(mintPosts.sent).toBe(4 + mintPosts.failed)
  })
})
