import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { callModel, createRunner } from '../src/agent/index.js'
import { ExitCode } from '../src/errors/exitCodes.js'
import { createVeniceClient, UnexpectedRedirectError } from '../src/venice/index.js'
import { useEmulator } from './helpers/useEmulator.js'

const OWNER: Address = '0x00000000000000000000000000000000000BED1C'
const emulator = useEmulator({ stakes: { [OWNER]: { svvv: 10n ** 18n } }, dailyPoolDiem: 1e9 })

// A misconfigured base URL: every request is answered 307 to the same path on the real (emulated) Venice, which would
// accept it. Following the redirect would work, and would send the key there: Gondola must refuse instead.
let redirector: Server
let redirectorURL = ''
const urls: string[] = []
const seen = { redirector: 0, target: 0 }
const countTarget = () => seen.target++

beforeAll(async () => {
  redirector = createServer((req, res) => {
    seen.redirector++
    urls.push(`${req.method} ${req.url}`)
    res.writeHead(307, { location: `${emulator().baseURL.replace(/\/api\/v1$/, '')}${req.url}` }).end()
  })
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve))
  redirectorURL = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/api/v1`
  emulator().server.on('request', countTarget)
})
afterAll(async () => {
  emulator().server.off('request', countTarget)
  await new Promise((resolve) => redirector.close(resolve))
})

describe('a redirecting server (a wrong VENICE_API_BASE_URL)', () => {
  it('fails a run with UnexpectedRedirectError at its first requests, none retried, and nothing reaches the redirect target', async () => {
    const { apiKey } = emulator().createKey(OWNER)
    const runner = createRunner({ baseURL: redirectorURL, keys: [{ name: 'k', apiKey }] })
    const before = { ...seen, urls: urls.length }
    try {
      const r = await runner.run({ agent: 'a', prompt: 'hello', model: 'qwen3-4b', maxSteps: 1 })
      expect(r.status).toBe('error')
      expect(r.error).toBeInstanceOf(UnexpectedRedirectError)
      expect(r.error!.message).toContain('VENICE_API_BASE_URL')
      expect(r.error!.message).toMatch(/answered \/api\/v1\/\S+ with a redirect/)
      expect(r.error!.message).not.toContain(apiKey)
      // Not read as a dropped connection: no retries, no backoff. (The price book reads /models and /models/traits at once.)
      expect(urls.slice(before.urls).sort()).toEqual(['GET /api/v1/models?type=text', 'GET /api/v1/models/traits?type=text'].sort())
      expect(seen.target - before.target).toBe(0)
    } finally {
      runner.close()
    }
  })

  it('fails a chat completion through callModel without the connection-failure retries', async () => {
    const { apiKey } = emulator().createKey(OWNER)
    const venice = createVeniceClient({ baseURL: redirectorURL, apiKey })
    const before = { ...seen }
    const err = await callModel({ openai: venice.openai, maxServerRetries: 4 }, { model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(UnexpectedRedirectError)
    expect((err as Error).message).toContain('/api/v1/chat/completions')
    expect(seen.redirector - before.redirector).toBe(1)
    expect(seen.target - before.target).toBe(0)
  })

  it('fails a REST call the same way, without the client retrying it', async () => {
    const { apiKey } = emulator().createKey(OWNER)
    const venice = createVeniceClient({ baseURL: redirectorURL, apiKey, maxRetries: 2 })
    const before = { ...seen }
    const err = await venice.listModels().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnexpectedRedirectError)
    expect((err as UnexpectedRedirectError).exitCode).toBe(ExitCode.config)
    expect(seen.redirector - before.redirector).toBe(1)
    expect(seen.target - before.target).toBe(0)
    // The same client against the real base URL works: only the redirect is refused.
    const direct = createVeniceClient({ baseURL: emulator().baseURL, apiKey })
    expect((await direct.listModels()).length).toBeGreaterThan(0)
  })
})
