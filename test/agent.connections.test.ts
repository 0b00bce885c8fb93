import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { Agent as NpmAgent, ProxyAgent, getGlobalDispatcher, setGlobalDispatcher } from 'undici'
import { createRunner } from '../src/agent/index.js'
import { createConnectionPool } from '../src/venice/connectionPool.js'
import { countConnections as countSockets } from './helpers/countConnections.js'
import { useEmulator } from './helpers/useEmulator.js'

const OWNER: Address = '0x00000000000000000000000000000000000C0411'
const emulator = useEmulator({ stakes: { [OWNER]: { svvv: 10n ** 18n } }, dailyPoolDiem: 1e9 })

/** Counts sockets at this file's emulator. */
const countConnections = () => countSockets(emulator().server)

describe('connection bounding (one shared keep-alive pool per runner)', () => {
  it('two runners have separate pools unless given one dispatcher; bad caps are refused', async () => {
    const { createConnectionPool } = await import('../src/venice/index.js')
    expect(() => createConnectionPool({ connections: 0 })).toThrow(/connections must be a positive integer/)
    const pool = createConnectionPool({ connections: 2 })
    const { apiKey } = emulator().createKey(OWNER)
    const a = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'k', apiKey }], dispatcher: pool })
    const b = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'k', apiKey }], dispatcher: pool })
    const counter = countConnections()
    try {
      const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).run({ agent: `s${i}`, prompt: 'hi', model: 'qwen3-4b', maxSteps: 1 })))
      expect(rs.every((r) => r.status === 'completed')).toBe(true)
      expect(counter.seen.maxOpen).toBeLessThanOrEqual(2)
    } finally {
      counter.stop()
      a.close()
      b.close()
      await pool.close()
    }
  })
})

describe('which undici the pool comes from', () => {
  it("is an Agent of the undici Node's own fetch runs on (not the npm copy), and carries requests under the cap", async () => {
    // In a process that has not loaded npm undici (loading it installs its own Agent as Node's global dispatcher, as here).
    const probe = [
      "import { createConnectionPool } from './src/venice/connectionPool.ts'",
      "import { createRequire } from 'node:module'",
      'const pool = createConnectionPool({ connections: 2 })',
      "const nodeDefault = globalThis[Symbol.for('undici.globalDispatcher.1')]",
      "const npm = createRequire(import.meta.url)('undici')",
      'console.log(JSON.stringify({ sameAsNode: pool.constructor === nodeDefault.constructor, npm: pool instanceof npm.Agent }))',
      'await pool.close()',
    ].join('\n')
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    })
    expect(JSON.parse(out)).toEqual({ sameAsNode: true, npm: false })
    // Here (npm undici loaded), the pool is of the class Node's fetch uses all the same, and holds the cap.
    const { apiKey } = emulator().createKey(OWNER)
    const pool = createConnectionPool({ connections: 2 })
    try {
      expect(pool.constructor).toBe((globalThis as Record<symbol, object>)[Symbol.for('undici.globalDispatcher.1')]!.constructor)
      const counter = countConnections()
      const runner = createRunner({ baseURL: emulator().baseURL, keys: [{ name: 'k', apiKey }], dispatcher: pool })
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.run({ agent: `p${i}`, prompt: 'hi', model: 'qwen3-4b', maxSteps: 1 })))
      runner.close()
      counter.stop()
      expect(results.map((r) => r.status).filter((s) => s !== 'max_steps' && s !== 'completed')).toEqual([])
      expect(counter.seen.maxOpen).toBeLessThanOrEqual(2)
    } finally {
      await pool.close()
    }
  })

  it("leaves a user's own global dispatcher (a proxy agent) alone and falls back to the npm Agent", async () => {
    const before = getGlobalDispatcher()
    const proxy = new ProxyAgent('http://127.0.0.1:9')
    setGlobalDispatcher(proxy)
    try {
      const pool = createConnectionPool({ connections: 2 })
      expect(pool).toBeInstanceOf(NpmAgent)
      expect(getGlobalDispatcher()).toBe(proxy)
      await pool.close()
    } finally {
      setGlobalDispatcher(before)
      await proxy.close()
    }
  })
})

describe('connection failures from the openai SDK', () => {
  it('are classified as APIConnectionError, so callModel retries them', async () => {
    const OpenAI = (await import('openai')).default
    const { toVeniceError, APIConnectionError } = await import('../src/venice/errors.js')
    expect(toVeniceError(new OpenAI.APIConnectionError({ message: 'Connection error.', cause: new Error('other side closed') }))).toBeInstanceOf(
      APIConnectionError,
    )
    expect(toVeniceError(new OpenAI.APIConnectionTimeoutError({ message: 'Request timed out.' }))).toBeInstanceOf(APIConnectionError)
  })
})
