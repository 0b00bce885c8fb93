/**
 * Issue 11 client bugs on the emulator + anvil: each agent key's expiry comes from its own record and it is
 * rotated before it expires (never a 401); revoke is idempotent (the spec's 400 for an unknown id); rotation
 * leaves exactly one live key; several agent keys of one wallet share one failure budget and cannot get the
 * account blocked; a key-limit 402 worded differently never starts an on-chain top-up.
 */
import { join } from 'node:path'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { createRunner } from '../src/agent/runner.js'
import { createAgentHost, type HostEvent } from '../src/host/createAgentHost.js'
import { provisionApiKey } from '../src/keys/provisionApiKey.js'
import { revokeApiKey } from '../src/keys/revokeApiKey.js'
import { rotateApiKey } from '../src/keys/rotateApiKey.js'
import type { KeyStore } from '../src/keys/KeyStore.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { BadRequestError } from '../src/venice/errors.js'
import { useDevnet } from './helpers/useDevnet.js'
import { call, expectSpecResponse, useEmulatorOn } from './helpers/useEmulator.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

const scout = defineAgent({ name: 'scout', model: 'qwen3-4b', tools: [], prompt: 'Say hello.' })
const funding = { minRunwayHours: 0.0001, cooldownMs: 60_000, ethPerTopUp: parseEther('0.01'), mintDiem: false }

/** A fetch that records `METHOD path status` of every response (and can answer some requests itself). */
function recordingFetch(intercept?: (method: string, path: string) => Response | undefined) {
  const seen: string[] = []
  const f: typeof fetch = async (input, init = {}) => {
    const url = new URL(String(input instanceof Request ? input.url : input))
    const method = init.method ?? (input instanceof Request ? input.method : 'GET')
    const res = intercept?.(method, url.pathname) ?? (await fetch(input, init))
    seen.push(`${method} ${url.pathname} ${res.status}`)
    return res
  }
  return { fetch: f, seen }
}

const adminOf = (store: KeyStore) => store.reveal(store.keys('ADMIN').at(-1)!.id)
const liveInference = async (store: KeyStore) =>
  (await createVeniceClient({ baseURL: emulator().baseURL, apiKey: adminOf(store) }).listApiKeys()).filter((k) => k.apiKeyType === 'INFERENCE').map((k) => k.id)
const emulatorClock = () => ({ now: () => emulator().now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) })

describe('agent keys: expiry, rotation, revocation', () => {
  it('a key whose own record expires in 2 h is rotated before use, and the agent never sees a 401', async () => {
    const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['scout'] })
    const old = store.keys('INFERENCE')[0]!
    expect(old.expiresAt).toBeNull() // the store knows nothing of an expiry: only Venice's record does
    // The operator shortens the key's life on Venice (PATCH /api_keys): it now expires in 2 h on the emulator clock.
    const expiresAt = new Date(emulator().now() + 2 * 3_600_000).toISOString()
    const patched = await fetch(`${emulator().baseURL}/api_keys`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminOf(store)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: old.id, expiresAt }),
    })
    expect(patched.status).toBe(200)
    // The ADMIN key's own /api_keys/rate_limits says "never expires": that must not overwrite the agent key's expiry.
    expect((await createVeniceClient({ baseURL: emulator().baseURL, apiKey: adminOf(store) }).getRateLimits()).keyExpiration).toBeNull()

    const { fetch: recorded, seen } = recordingFetch()
    const events: HostEvent[] = []
    const host = createAgentHost({
      wallet,
      store,
      baseURL: emulator().baseURL,
      outboxDir: join(stateDir, 'outbox'),
      funding,
      clock: emulatorClock(),
      fetch: recorded,
      onEvent: (e) => events.push(e),
    })
    try {
      expect((await host.run(scout)).status).toBe('completed')
      expect(events.filter((e) => e.type === 'rotated')).toEqual([expect.objectContaining({ agent: 'scout', reason: 'expiring' })])
      emulator().advance(3 * 3_600_000) // the old key's expiry is long past
      expect((await host.run(scout)).status).toBe('completed')
      // The replacement is given 30 h on Venice; the periodic refresh (ADMIN rate limits, then the key's own
      // record) must keep that expiry, not the ADMIN key's "never".
      const current = store.keys('INFERENCE').at(-1)!
      const later = new Date(emulator().now() + 30 * 3_600_000).toISOString()
      await fetch(`${emulator().baseURL}/api_keys`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminOf(store)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: current.id, expiresAt: later }),
      })
      await host.runner.key('scout')!.monitor.refresh()
      expect(host.runner.key('scout')!.monitor.snapshot().keyExpiresAt).toBe(Date.parse(later))
      emulator().advance(30 * 3_600_000 - 60_000) // one minute before it expires
      expect((await host.run(scout)).status).toBe('completed')
      emulator().advance(3 * 3_600_000)
      expect((await host.run(scout)).status).toBe('completed')
      expect(events.filter((e) => e.type === 'rotated')).toHaveLength(2)
    } finally {
      host.close()
    }
    expect(seen.filter((s) => s.endsWith(' 401'))).toEqual([])
    expect(seen.filter((s) => s.startsWith('POST /api/v1/chat/completions')).every((s) => s.endsWith(' 200'))).toBe(true)
    // Exactly one live key for the agent, on Venice and in the store, and it is not the old one.
    const live = await liveInference(store)
    expect(live).toHaveLength(1)
    expect(live[0]).not.toBe(old.id)
    expect(store.keys('INFERENCE').map((k) => k.id)).toEqual(live)
  })

  it('revoke is idempotent: a key Venice already forgot (400, per the spec) is confirmed gone and forgotten', async () => {
    const { store, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['scout'] })
    const old = store.keys('INFERENCE')[0]!
    const admin = createVeniceClient({ baseURL: emulator().baseURL, apiKey: adminOf(store) })
    await admin.deleteApiKey(old.id) // revoked elsewhere (dashboard, another process)
    const again = await fetch(`${emulator().baseURL}/api_keys?id=${old.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminOf(store)}` } })
    expect(again.status).toBe(400)
    expectSpecResponse('/api_keys', 'delete', 400, await again.json())

    // Rotation still completes: the new key is minted, the old one is confirmed gone by the key list.
    const next = await rotateApiKey({ store, baseURL: emulator().baseURL, signer: account, id: old.id })
    expect(next.revoked).toBe(old.id)
    expect(await liveInference(store)).toEqual([next.key.id])
    expect(store.keys('INFERENCE').map((k) => k.id)).toEqual([next.key.id])
  })

  it('a 400 for a key that is still listed is not swallowed, and a failed mint leaves the old key live: never two, never zero', async () => {
    const { store, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['scout'] })
    const old = store.keys('INFERENCE')[0]!
    const refuseDelete = recordingFetch((method, path) =>
      method === 'DELETE' && path.endsWith('/api_keys') ? Response.json({ error: 'Invalid request parameters' }, { status: 400 }) : undefined,
    )
    await expect(revokeApiKey({ store, baseURL: emulator().baseURL, id: old.id, fetch: refuseDelete.fetch })).rejects.toBeInstanceOf(BadRequestError)
    expect(refuseDelete.seen).toEqual([`DELETE /api/v1/api_keys 400`, 'GET /api/v1/api_keys 200'])
    expect(store.find(old.id)).toBeDefined()
    expect(await liveInference(store)).toEqual([old.id])

    const refuseMint = recordingFetch((method, path) =>
      method === 'POST' && path.endsWith('/generate_web3_key') ? Response.json({ error: 'Wallet signature does not match' }, { status: 400 }) : undefined,
    )
    await expect(rotateApiKey({ store, baseURL: emulator().baseURL, signer: account, id: old.id, fetch: refuseMint.fetch })).rejects.toThrow()
    expect(await liveInference(store)).toEqual([old.id])
    expect(store.keys('INFERENCE').map((k) => k.id)).toEqual([old.id])
  })
})

describe('read-back of a date-only expiry', () => {
  it('a key minted with expiresAt YYYY-MM-DD is kept when Venice stores it as the end of that day', async () => {
    emulator().setVariants({ dateOnlyExpiry: 'end-of-day' })
    try {
      const { store, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['scout'] })
      const day = new Date(emulator().now() + 10 * 86_400_000).toISOString().slice(0, 10)
      const minted = await provisionApiKey({
        signer: account,
        baseURL: emulator().baseURL,
        store,
        agent: 'dated',
        apiKeyType: 'INFERENCE',
        description: 'dated',
        consumptionLimit: { diem: 1 },
        expiresAt: day,
      })
      expect(minted.verified).toBe(true)
      const record = await createVeniceClient({ baseURL: emulator().baseURL, apiKey: adminOf(store) }).getApiKey(minted.key.id)
      expect(record.expiresAt).toBe(`${day}T23:59:59.999Z`)
      expect(await liveInference(store)).toContain(minted.key.id)
    } finally {
      emulator().setVariants({})
    }
  })
})

describe('a key at its own limit', () => {
  it('a key-limit 402 worded differently never starts an on-chain top-up; with onKeyLimit: rotate the run continues on a new key', async () => {
    emulator().setVariants({ keyLimitMessage: 'Spending cap for this credential reached' })
    try {
      const { wallet, store, stateDir, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['scout'], diemPerAgent: 0.0000001 })
      const nonce = await devnet().publicClient.getTransactionCount({ address: account.address })
      const events: HostEvent[] = []
      const options = {
        wallet,
        store,
        baseURL: emulator().baseURL,
        outboxDir: join(stateDir, 'outbox'),
        funding,
        clock: emulatorClock(),
        onEvent: (e: HostEvent) => events.push(e),
      }
      const host = createAgentHost(options)
      let first, second
      try {
        first = await host.run(scout, { prompt: 'x'.repeat(4000) }) // costs more than the key's tiny limit
        second = first.status === 'completed' ? await host.run(scout) : first
      } finally {
        host.close()
      }
      expect(second.status).toBe('insufficient_balance')
      expect(second.error?.walk((e) => e instanceof Error && /key's own limit/.test(e.message))).toBeTruthy()
      expect(events.filter((e) => e.type === 'topUp' || e.type === 'funding')).toEqual([])

      const rotating = createAgentHost({ ...options, onKeyLimit: 'rotate' })
      try {
        const r = await rotating.run(scout)
        expect(events.filter((e) => e.type === 'rotated')).toEqual([expect.objectContaining({ reason: 'limit' })])
        expect(r.status === 'completed' || r.status === 'insufficient_balance').toBe(true) // the new key has the same tiny limit
      } finally {
        rotating.close()
      }
      expect(events.filter((e) => e.type === 'topUp' || e.type === 'funding')).toEqual([])
      expect(await devnet().publicClient.getTransactionCount({ address: account.address })).toBe(nonce)
    } finally {
      emulator().setVariants({})
    }
  })
})

describe('one account, many keys', () => {
  const failing = (store: KeyStore) => {
    for (const k of store.keys('INFERENCE'))
      emulator().script(
        store.reveal(k.id),
        Array.from({ length: 10 }, () => ({ status: 400, error: 'Invalid request parameters' })),
      )
  }
  /**
   * Long waits (the breaker's 30 s) move the emulator's clock, so they cost no real time and the server sees
   * them pass; short polls (waiting for requests in flight) really wait a moment and move nothing.
   */
  const advancingClock = () => ({
    now: () => emulator().now(),
    sleep: async (ms: number) => {
      if (ms >= 1_000) emulator().advance(ms)
      await new Promise((r) => setTimeout(r, ms >= 1_000 ? 0 : Math.min(ms, 5)))
    },
  })
  const breakerHits = (seen: string[]) => seen.filter((s) => s.startsWith('POST /api/v1/chat/completions 429')).length

  it('three agent keys of one wallet share one failure budget and never get the account blocked (per-key budgets do)', async () => {
    const agents = ['a1', 'a2', 'a3']
    const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents })
    failing(store)
    const { fetch: recorded, seen } = recordingFetch()
    const host = createAgentHost({
      wallet,
      store,
      baseURL: emulator().baseURL,
      outboxDir: join(stateDir, 'outbox'),
      funding,
      clock: advancingClock(),
      fetch: recorded,
    })
    try {
      const runs = await Promise.all(agents.flatMap((name) => Array.from({ length: 8 }, () => host.run(defineAgent({ ...scout, name })))))
      expect(runs.map((r) => r.error?.shortMessage)).toEqual(Array(24).fill(expect.stringMatching(/^400 /)))
    } finally {
      host.close()
    }
    expect(breakerHits(seen)).toBe(0)
    expect((await call(emulator().baseURL, '/characters', { apiKey: store.reveal(store.keys('INFERENCE')[0]!.id) })).status).toBe(200)

    // The same load with one budget per key (three separate runners) gets the whole account blocked.
    const other = await provisionedWallet(devnet(), emulator().baseURL, { agents })
    failing(other.store)
    const control = recordingFetch()
    const runners = other.store.keys('INFERENCE').map((k) =>
      createRunner({
        baseURL: emulator().baseURL,
        keys: [{ name: k.agent!, apiKey: other.store.reveal(k.id) }],
        clock: advancingClock(),
        fetch: control.fetch,
      }),
    )
    await Promise.all(
      runners.flatMap((runner) => Array.from({ length: 8 }, () => runner.run({ agent: 'x', prompt: 'hello', model: 'qwen3-4b', maxRateLimitRetries: 0 }))),
    )
    // 24 failures within 30 s: the account is blocked (requests already past the check when it tripped still got their 400).
    const after = await call(emulator().baseURL, '/characters', { apiKey: other.store.reveal(other.store.keys('INFERENCE')[0]!.id) })
    expect(after.status).toBe(429)
    expect(after.json.error).toMatch(/^Too many failed attempts/)
  })
})
