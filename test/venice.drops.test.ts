import { join } from 'node:path'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { publishPost, socialBot } from '../agents/social-bot.js'
import { callModel } from '../src/agent/callModel.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { APIConnectionError, toVeniceError } from '../src/venice/errors.js'
import { isNetworkError as isConnectionFailure } from '../src/errors/networkError.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { stakedWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

/** A fetch that counts what the network did: answers, and connections that failed. */
function countingFetch() {
  const counts = { answered: 0, failed: 0 }
  const f: typeof fetch = async (input, init) => {
    try {
      const res = await fetch(input, init)
      counts.answered++
      return res
    } catch (err) {
      counts.failed++
      throw err
    }
  }
  return { fetch: f, counts }
}

describe('dropped connections are typed and retried like 5xx', () => {
  it('the openai SDK connection errors (name "Error") and fetch resets become APIConnectionError', () => {
    const sdk = new OpenAI.APIConnectionError({ message: 'Connection error.' })
    expect(sdk.name).toBe('Error') // why the name check alone missed it
    expect(toVeniceError(sdk)).toBeInstanceOf(APIConnectionError)
    const timeout = toVeniceError(new OpenAI.APIConnectionTimeoutError())
    expect(timeout).toBeInstanceOf(APIConnectionError)
    expect((timeout as APIConnectionError).shortMessage).toBe('The Venice API did not answer in time.')
    const reset = Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })
    expect(isConnectionFailure(reset)).toBe(true)
    expect(isConnectionFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true)
    expect(isConnectionFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true)
    // A programming error is not a network fault, and is not retried.
    expect(isConnectionFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false)
    expect(toVeniceError(new TypeError("Cannot read properties of undefined (reading 'x')"))).not.toBeInstanceOf(APIConnectionError)
  })

  it('callModel retries a dropped chat completion with backoff and succeeds', async () => {
    const { apiKey } = emulator().createKey((await stakedWallet(devnet(), '10')).address)
    const { fetch, counts } = countingFetch()
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey, fetch })
    const slept: number[] = []
    emulator().setFaults({ dropRate: 0.5, seed: 3 })
    try {
      for (let i = 0; i < 6; i++) {
        const { completion } = await callModel(
          { openai: venice.openai, sleep: async (ms) => void slept.push(ms), maxServerRetries: 8 },
          { model: 'qwen3-4b', messages: [{ role: 'user', content: `hi ${i}` }] },
        )
        expect(completion.choices).toHaveLength(1)
      }
    } finally {
      emulator().setFaults({})
    }
    expect(counts.failed).toBeGreaterThan(0)
    expect(slept).toHaveLength(counts.failed)
    expect(slept.every((ms) => ms >= 375)).toBe(true) // 0.5 s × 2^n less ≤ 25 % jitter
  })

  it('REST calls retry a connection dropped at 100 % and give up with a typed, redacted APIConnectionError', async () => {
    const { apiKey } = emulator().createKey(devnet().accounts[0]!.address, { apiKeyType: 'ADMIN' })
    const { fetch, counts } = countingFetch()
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey, fetch, maxRetries: 3, sleep: async () => {} })
    emulator().setFaults({ dropRate: 1, scope: 'all' })
    let err: unknown
    try {
      err = await venice.getRateLimits().catch((e: unknown) => e)
    } finally {
      emulator().setFaults({})
    }
    expect(err).toBeInstanceOf(APIConnectionError)
    expect(counts.failed).toBe(4)
    expect(JSON.stringify((err as Error).message)).not.toContain(apiKey)
  })

  it('a REST call that hangs past its timeout is a connection failure, retried, then a typed APIConnectionError', async () => {
    const { fetch, counts } = countingFetch()
    const venice = createVeniceClient({ baseURL: emulator().baseURL, fetch, maxRetries: 1, timeoutMs: 50, sleep: async () => {} })
    emulator().setFaults({ latencyMs: 400, scope: 'all' })
    let err: unknown
    try {
      err = await venice.listModels().catch((e: unknown) => e)
    } finally {
      emulator().setFaults({})
    }
    expect(err).toBeInstanceOf(APIConnectionError)
    expect(counts.failed).toBe(2)
  })

  it('social-bot posts all succeed with 20 % of connections dropped', async () => {
    const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['social-bot'] })
    const { fetch, counts } = countingFetch()
    const host = createAgentHost({
      wallet,
      store,
      baseURL: emulator().baseURL,
      outboxDir: join(stateDir, 'outbox'),
      fetch,
      funding: { minRunwayHours: 0.0001, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: false },
    })
    emulator().setFaults({ dropRate: 0.2, seed: 20, scope: 'all' })
    const outcomes: string[] = []
    try {
      for (let i = 0; i < 10; i++) {
        const post = await publishPost(host, socialBot(), { topic: `lagoon ${i}` }).then(
          (p) => (p.posted ? 'posted' : 'not posted'),
          (e: Error) => `${e.name}: ${e.message.split('\n')[0]}`,
        )
        outcomes.push(post)
      }
    } finally {
      emulator().setFaults({})
      host.close()
    }
    expect(outcomes).toEqual(Array(10).fill('posted'))
    expect(counts.failed).toBeGreaterThan(5) // the drops really happened, and every one was retried
  })
})
