/**
 * Emulator throughput: non-streaming `/chat/completions` at zero latency over loopback, with a
 * keep-alive `http.Agent` and N concurrent connections, a bounded number of requests.
 * Goal (issue 4): ≥ 3,000 req/s on this machine. Reports req/s, p50 and p99.
 */
import http from 'node:http'
import type { Address } from 'viem'
import { createStaticChainReader } from '../../src/emulator/chainReader.js'
import { startEmulator } from '../../src/emulator/startEmulator.js'
import type { BenchRow } from './types.js'

const WALLET: Address = '0x000000000000000000000000000000000000bE4c'

/**
 * Fires `total` requests over `concurrency` keep-alive connections and times each.
 *
 * @example
 * ```ts
 * const { reqPerSec, p50, p99 } = await load({ port, apiKey, total: 2000, concurrency: 32 })
 * ```
 */
export async function load(o: { port: number; apiKey: string; total: number; concurrency: number; body: string }): Promise<{ reqPerSec: number; p50: number; p99: number; failures: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency })
  const latencies: number[] = []
  let sent = 0
  let failures = 0
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now()
      const req = http.request(
        { agent, host: '127.0.0.1', port: o.port, method: 'POST', path: '/api/v1/chat/completions', headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(o.body) } },
        (res) => {
          res.resume()
          res.on('end', () => {
            if (res.statusCode !== 200) failures++
            latencies.push(performance.now() - t0)
            resolve()
          })
        },
      )
      req.on('error', () => {
        failures++
        resolve()
      })
      req.end(o.body)
    })
  const worker = async () => {
    while (sent < o.total) {
      sent++
      await one()
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { reqPerSec: o.total / seconds, p50: at(0.5), p99: at(0.99), failures }
}

/** The emulator's bench rows. */
export async function bench(): Promise<BenchRow[]> {
  const emulator = await startEmulator({
    chain: createStaticChainReader({ [WALLET]: { svvv: 10n ** 18n } }),
    dailyPoolDiem: 1_000_000,
    rateLimits: { global: { rpm: 1e9, rpd: 1e9, tpm: 1e12 } },
  })
  try {
    const { apiKey } = emulator.createKey(WALLET)
    const body = JSON.stringify({ model: 'qwen3-4b', messages: [{ role: 'system', content: 'You are a helpful agent.' }, { role: 'user', content: 'What is my balance?' }] })
    await load({ port: emulator.port, apiKey, total: 2_000, concurrency: 32, body }) // warm-up
    const r = await load({ port: emulator.port, apiKey, total: 20_000, concurrency: 32, body })
    if (r.failures) throw new Error(`${r.failures} requests failed during the emulator bench`)
    return [
      { issue: 4, metric: 'emulator chat/completions throughput (non-streaming, 32 conns, 20k req)', value: Math.round(r.reqPerSec), unit: 'req/s', goal: '>= 3000' },
      { issue: 4, metric: 'emulator chat/completions latency p50', value: Number(r.p50.toFixed(2)), unit: 'ms' },
      { issue: 4, metric: 'emulator chat/completions latency p99', value: Number(r.p99.toFixed(2)), unit: 'ms' },
    ]
  } finally {
    await emulator.stop()
  }
}
