/**
 * Emulator throughput: `/chat/completions` at zero latency over loopback, with a keep-alive
 * `http.Agent` and N concurrent connections, a bounded number of requests. The emulator runs in its
 * own process; the baseline is a trivial Fastify route in that same process, measured in alternating
 * rounds. Goals: ≥ 3,000 req/s (issue 4); ≥ 0.5× the trivial route (issue 18). Reports req/s, p50, p99.
 */
import http from 'node:http'
import type { Address } from 'viem'
import { startRemoteEmulator } from './lib/remoteEmulator.js'
import { interleave, median, range } from './lib/stats.js'
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
export async function load(o: {
  port: number
  apiKey: string
  total: number
  concurrency: number
  body: string
}): Promise<{ reqPerSec: number; p50: number; p99: number; failures: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency })
  const latencies: number[] = []
  let sent = 0
  let failures = 0
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now()
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: o.port,
          method: 'POST',
          path: '/api/v1/chat/completions',
          headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(o.body) },
        },
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

/** The emulator's bench rows: the emulator and a trivial Fastify route run in a child process; rounds alternate between them. */
export async function bench(): Promise<BenchRow[]> {
  const emulator = await startRemoteEmulator([WALLET])
  try {
    await emulator.setRateLimits({ global: { rpm: 1e9, rpd: 1e9, tpm: 1e12 } })
    const apiKey = await emulator.createKey(WALLET)
    const messages = [
      { role: 'system', content: 'You are a helpful agent.' },
      { role: 'user', content: 'What is my balance?' },
    ]
    const body = JSON.stringify({ model: 'qwen3-4b', messages })
    const sse = JSON.stringify({ model: 'qwen3-4b', messages, stream: true, stream_options: { include_usage: true } })
    const run = (port: number, b: string, total: number) => load({ port, apiKey, total, concurrency: 32, body: b })
    await run(emulator.port, body, 2_000) // warm-up (JIT, validators, sockets)
    await run(emulator.port, sse, 1_000)
    await run(emulator.trivialPort, body, 2_000)
    const json: Awaited<ReturnType<typeof load>>[] = []
    const stream: Awaited<ReturnType<typeof load>>[] = []
    // The child's CPU time per request, for each side of a round: unlike req/s it does not include the load
    // generator (this process), and it moves far less with other processes' load.
    const cpu = { emulator: [] as number[], trivial: [] as number[] }
    const cpuPerRequest = async (port: number, total: number): Promise<{ x: Awaited<ReturnType<typeof load>>; us: number }> => {
      await emulator.resetStats()
      const x = await run(port, body, total)
      return { x, us: (await emulator.stats()).cpuUs / total }
    }
    const r = await interleave(
      5,
      async () => {
        const { x, us } = await cpuPerRequest(emulator.port, 4_000)
        json.push(x)
        cpu.emulator.push(us)
        stream.push(await run(emulator.port, sse, 2_000))
        return x.reqPerSec
      },
      async () => {
        const { x, us } = await cpuPerRequest(emulator.trivialPort, 4_000)
        cpu.trivial.push(us)
        return x.reqPerSec
      },
    )
    // As a throughput ratio: requests per CPU-second, emulator over trivial (= trivial µs / emulator µs).
    const cpuRatios = cpu.emulator.map((e, i) => cpu.trivial[i]! / e)
    const failures = [...json, ...stream].reduce((n, x) => n + x.failures, 0)
    if (failures) throw new Error(`${failures} requests failed during the emulator bench`)
    return [
      {
        issue: 4,
        metric: 'emulator chat/completions throughput (non-streaming, 32 conns, own process)',
        value: Math.round(median(r.a)),
        unit: 'req/s',
        goal: '>= 3000',
      },
      { issue: 4, metric: 'emulator chat/completions latency p50', value: Number(median(json.map((x) => x.p50)).toFixed(2)), unit: 'ms' },
      { issue: 4, metric: 'emulator chat/completions latency p99', value: Number(median(json.map((x) => x.p99)).toFixed(2)), unit: 'ms' },
      {
        issue: 18,
        metric: 'emulator chat/completions vs a trivial Fastify POST route (same process, same load, 32 conns)',
        value: Math.round(median(r.a)),
        baseline: Math.round(median(r.b)),
        ratio: median(r.ratios),
        unit: 'req/s',
        goal: '≥ 0.5×',
        spread: `ratio ${range(r.ratios)} over ${r.ratios.length} rounds`,
      },
      {
        issue: 18,
        metric:
          'emulator vs trivial route: server CPU per request (the child only, without the load generator; ratio = trivial/emulator = requests per CPU-second)',
        value: Math.round(median(cpu.emulator)),
        baseline: Math.round(median(cpu.trivial)),
        ratio: median(cpuRatios),
        unit: 'µs',
        spread: `ratio ${range(cpuRatios)} over ${cpuRatios.length} rounds`,
      },
      {
        issue: 18,
        metric: 'emulator chat/completions, SSE (stream + usage chunk)',
        value: Math.round(median(stream.map((x) => x.reqPerSec))),
        baseline: Math.round(median(r.b)),
        unit: 'req/s',
      },
    ]
  } finally {
    await emulator.stop()
  }
}
