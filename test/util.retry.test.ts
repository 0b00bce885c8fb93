import { getEventListeners } from 'node:events'
import { readdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { HttpRequestError } from 'viem'
import { describe, expect, it } from 'vitest'
import { exitCodeOf } from '../src/errors/exitCodeOf.js'
import { toFundingFailure } from '../src/host/fundingErrors.js'
import { isNetworkError, NETWORK_ERROR_CODES } from '../src/errors/networkError.js'
import { backoffMs, isRetryableStatus, retryAfterMs, retryDelayMs, withRetries } from '../src/util/retry.js'
import { abortScope, sleep } from '../src/util/sleep.js'
import { APIConnectionError, toVeniceError } from '../src/venice/errors.js'

/** A real local HTTP server answering from a script of [status, headers] pairs, one per request. */
async function scriptedServer(script: Array<[number, Record<string, string>?]>) {
  let n = 0
  const server = createServer((_req, res) => {
    const [status, headers] = script[Math.min(n++, script.length - 1)]!
    res.writeHead(status, headers ?? {}).end(status < 300 ? 'ok' : 'no')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return { url, requests: () => n, close: () => new Promise<void>((r) => server.close(() => r())) }
}

class StatusError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
  ) {
    super(`status ${status}`)
  }
}

const getOnce = (url: string) => async () => {
  const res = await fetch(url)
  const text = await res.text()
  if (!res.ok) throw new StatusError(res.status, res.headers)
  return text
}
const classify = (e: unknown) => (e instanceof StatusError ? { status: e.status, headers: e.headers } : isNetworkError(e) ? { status: undefined } : undefined)

describe('one retry policy (src/util/retry.ts), openai-node rules', () => {
  it('retries only 408, 409, 429, 5xx and no-answer', () => {
    expect([408, 409, 429, 500, 502, 503, 504, undefined].every(isRetryableStatus)).toBe(true)
    expect([400, 401, 402, 403, 404, 410, 422].some(isRetryableStatus)).toBe(false)
  })

  it('reads retry-after-ms, then Retry-After (seconds or HTTP date), from Headers or a plain object; else undefined', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150)
    expect(retryAfterMs({ 'Retry-After': '2' })).toBe(2000)
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:02 GMT' }), Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(2000)
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined()
    expect(retryAfterMs(undefined)).toBeUndefined()
    // Advice over 60 s is ignored in favour of the backoff; a window reset within 60 s is honoured.
    expect(retryDelayMs({ attempt: 0, headers: { 'retry-after': '600' }, now: 0, random: () => 0 })).toBe(500)
    expect(retryDelayMs({ attempt: 0, headers: undefined, now: 1000, resetAtMs: 4000 })).toBe(3000)
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffMs(a, { random: () => 0 }))).toEqual([500, 1000, 2000, 4000, 8000, 8000])
  })

  it('against a real server: waits what Retry-After says, retries 503 and 429, and stops at the first success', async () => {
    const srv = await scriptedServer([[503, { 'retry-after': '0' }], [429, { 'retry-after-ms': '7' }], [200]])
    try {
      const waits: number[] = []
      expect(await withRetries(getOnce(srv.url), { maxRetries: 4, classify, sleep: async (ms) => void waits.push(ms) })).toBe('ok')
      expect(waits).toEqual([0, 7])
      expect(srv.requests()).toBe(3)
    } finally {
      await srv.close()
    }
  })

  it('never retries a 400, gives up after maxRetries, and retries a refused connection (no answer)', async () => {
    const bad = await scriptedServer([[400]])
    const down = await scriptedServer([[500]])
    try {
      await expect(withRetries(getOnce(bad.url), { maxRetries: 4, classify, sleep: async () => {} })).rejects.toMatchObject({ status: 400 })
      expect(bad.requests()).toBe(1)
      const waits: number[] = []
      await expect(
        withRetries(getOnce(down.url), { maxRetries: 3, classify, sleep: async (ms) => void waits.push(ms), random: () => 0 }),
      ).rejects.toMatchObject({ status: 500 })
      expect(down.requests()).toBe(4)
      expect(waits).toEqual([500, 1000, 2000])
    } finally {
      await bad.close()
      await down.close()
    }
    // Closed server: ECONNREFUSED under fetch's TypeError is a connection failure, retried.
    let tries = 0
    await expect(withRetries(() => (tries++, getOnce(bad.url)()), { maxRetries: 2, classify, sleep: async () => {} })).rejects.toThrow('fetch failed')
    expect(tries).toBe(3)
  })

  it('an abort during the wait ends it at once with the reason, and leaves no listener behind', async () => {
    const srv = await scriptedServer([[503, { 'retry-after': '30' }]])
    const ctrl = new AbortController()
    try {
      const p = withRetries(getOnce(srv.url), { maxRetries: 5, classify, signal: ctrl.signal, onRetry: () => ctrl.abort(new Error('stop')) })
      await expect(p).rejects.toThrow('stop')
      expect(srv.requests()).toBe(1)
    } finally {
      await srv.close()
    }
  })
})

describe('one network-error classifier (src/errors/networkError.ts)', () => {
  const closed = () => new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_CLOSED' }) })

  it('UND_ERR_CLOSED is a network failure on every path: Venice client, wallet top-up, exit code', () => {
    expect(NETWORK_ERROR_CODES.has('UND_ERR_CLOSED')).toBe(true)
    expect(isNetworkError(closed())).toBe(true)
    expect(toVeniceError(closed())).toBeInstanceOf(APIConnectionError)
    expect(exitCodeOf(closed())).toBe(5)
    // The wallet's own set lacked it: a top-up whose RPC closed the socket was reported as a generic failure (exit 1).
    const failure = toFundingFailure(Object.assign(new Error('rpc'), { cause: Object.assign(new Error('closed'), { code: 'UND_ERR_CLOSED' }) }))
    expect(failure).toMatchObject({ code: 'FUNDING_NETWORK', exitCode: 5 })
    expect(failure.shortMessage).toContain('UND_ERR_CLOSED')
  })

  it('viem transport errors, AbortSignal.timeout and a body cut short are network failures; a bug is not', () => {
    expect(isNetworkError(new HttpRequestError({ url: 'http://127.0.0.1:1' }))).toBe(true)
    expect(isNetworkError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true)
    expect(isNetworkError(new TypeError('terminated'))).toBe(true)
    expect(isNetworkError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false)
    expect(exitCodeOf(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(1)
  })
})

describe('sleep and abort scopes (src/util/sleep.ts)', () => {
  it('a sleep removes its abort listener when it ends: 50 waits on one long-lived signal leave none', async () => {
    const ctrl = new AbortController()
    for (let i = 0; i < 50; i++) await sleep(0, ctrl.signal)
    expect(getEventListeners(ctrl.signal, 'abort')).toHaveLength(0)
    const p = sleep(60_000, ctrl.signal)
    ctrl.abort(new Error('stopped'))
    await expect(p).rejects.toThrow('stopped')
  })

  it('abortScope follows its parent until released, then lets go of it', () => {
    const parent = new AbortController()
    const scope = abortScope(parent.signal)
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1)
    scope.release()
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0)
    const live = abortScope(parent.signal)
    parent.abort(new Error('bye'))
    expect(live.signal?.aborted).toBe(true)
    expect(live.signal?.reason).toEqual(new Error('bye'))
  })
})

describe('one way to do each thing', () => {
  it('no module outside src/util (src/errors for the network codes) hand-rolls a sleep, a Retry-After parser or a network-code set', async () => {
    const files = (await readdir('src', { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('util/') && !f.startsWith('emulator/'))
    const offenders: string[] = []
    for (const f of files) {
      const text = await readFile(join('src', f), 'utf8')
      if (/new Promise[^\n]*setTimeout\(\s*(r|res|resolve)\s*,/.test(text)) offenders.push(`${f}: sleep`)
      // Reading the header is parsing it (a server that sends one, like the MCP front door, is not a parser).
      if (/(get\(\s*|\[)['"]retry-after['"]/i.test(text) && !f.startsWith('venice/headers')) offenders.push(`${f}: Retry-After`)
      if (/'ECONNRESET'/.test(text) && f !== 'errors/networkError.ts') offenders.push(`${f}: network codes`)
    }
    expect(offenders).toEqual([])
  })
})
