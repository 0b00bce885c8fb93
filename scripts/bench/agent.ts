/**
 * Issue 6 figures: the agent loop's per-step overhead against a bare `openai` SDK loop, 50 agents
 * sharing one 20 RPM key (throughput share, 429s; under both documented meanings of the limit header,
 * issue 11), and 1,000 agents in one process (memory, steps/s).
 * Everything runs against the in-process Venice emulator with zero added latency.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import OpenAI from 'openai'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import type { Address } from 'viem'
import { z } from 'zod'
import { createStaticChainReader } from '../../src/emulator/chainReader.js'
import { startEmulator, type Emulator } from '../../src/emulator/startEmulator.js'
import { createLedger, createRunner, type LimiterClock } from '../../src/agent/index.js'
import { defineTool, toOpenAITool } from '../../src/tools/index.js'
import { sleep } from '../../src/venice/retry.js'
import type { BenchRow } from './types.js'

const OWNER: Address = '0x00000000000000000000000000000000000BE4C4'
const MODEL = 'qwen3-4b'
const PROMPT = 'Please call add with 2 and 3'

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers and returns their sum.',
  schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
  handler: ({ a, b }) => ({ sum: a + b }),
})

/** The same two-step tool conversation with nothing but the SDK: create, run the tool, create again. */
async function bareRun(openai: OpenAI): Promise<number> {
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }]
  const tools = [toOpenAITool(add)]
  for (let step = 1; ; step++) {
    const c = await openai.chat.completions.create({ model: MODEL, messages, tools, parallel_tool_calls: true })
    const msg = c.choices[0]!.message
    messages.push(msg)
    if (!msg.tool_calls?.length) return step
    for (const call of msg.tool_calls) {
      if (call.type !== 'function') continue
      const args = JSON.parse(call.function.arguments) as { a: number; b: number }
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ sum: args.a + args.b }) })
    }
  }
}

const UNLIMITED = { global: { rpm: 1e9, tpm: 1e12, rpd: 1e12 } }

async function overhead(em: Emulator): Promise<BenchRow[]> {
  em.setRateLimits(UNLIMITED)
  const { apiKey } = em.createKey(OWNER)
  const openai = new OpenAI({ apiKey, baseURL: em.baseURL, maxRetries: 0 })
  const runner = createRunner({ baseURL: em.baseURL, keys: [{ name: 'k', apiKey }], ledger: createLedger() })
  const loop = async () => (await runner.run({ agent: 'bench', prompt: PROMPT, tools: [add], model: MODEL })).steps
  const timePerStep = async (fn: () => Promise<number>, runs: number) => {
    const t0 = performance.now()
    let steps = 0
    for (let i = 0; i < runs; i++) steps += await fn()
    return (performance.now() - t0) / steps
  }
  await timePerStep(() => bareRun(openai), 100) // warm-up both paths
  await timePerStep(loop, 100)
  const bare: number[] = []
  const ours: number[] = []
  for (let round = 0; round < 7; round++) {
    bare.push(await timePerStep(() => bareRun(openai), 60))
    ours.push(await timePerStep(loop, 60))
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  em.setRateLimits({})
  return [{ issue: 6, metric: 'agent loop: time per step (2-step tool run) vs bare openai SDK loop', value: median(ours), baseline: median(bare), unit: 'ms', goal: '≤ 1.15× bare' }]
}

/**
 * `limitHeader`: what `x-ratelimit-limit-requests` carries (the docs give both meanings: the maximum, or the
 * requests made in the period); the limiter paces on remaining + reset, so the figure must hold under both.
 */
async function sharedKey(em: Emulator, speed: number, base: () => number, limitHeader: 'limit' | 'used'): Promise<BenchRow[]> {
  const rpm = 20
  em.setVariants({ limitHeader })
  em.setRateLimits({ perModel: { [MODEL]: { rpm } } })
  const { apiKey } = em.createKey(OWNER)
  const clock: LimiterClock = { now: () => em.now(), sleep: (ms, signal) => sleep(ms / speed, signal) }
  const runner = createRunner({ baseURL: em.baseURL, keys: [{ name: 'shared', apiKey }], clock })
  const windows = 10
  // Warm the runner (price book, first probe) outside the measured windows.
  await runner.run({ agent: 'warm', prompt: 'hello', model: MODEL })
  // Start on a window boundary so exactly `windows` full windows are measured.
  const firstWindow = Math.ceil(em.now() / 60_000) * 60_000
  await sleep((firstWindow - em.now()) / speed)
  const end = firstWindow + windows * 60_000
  let done = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      while (em.now() < end) {
        const r = await runner.run({ agent: `a${i}`, prompt: 'hello', model: MODEL })
        if (r.status !== 'completed') failed++
        else if (em.now() < end) done++
      }
    }),
  )
  void base
  const stats = runner.key('shared')!.limiterFor(MODEL).stats()
  em.setRateLimits({})
  em.setVariants({})
  const meaning = limitHeader === 'limit' ? '' : ' (limit header = requests made)'
  return [
    { issue: 6, metric: `50 agents on one ${rpm} RPM key: share of allowed throughput used (${windows} windows)${meaning}`, value: (100 * done) / (rpm * windows), unit: '%', goal: '≥ 95 %' },
    { issue: 6, metric: `50 agents on one 20 RPM key: 429 responses${meaning}`, value: stats.rateLimited + failed, unit: 'count', goal: '0' },
  ]
}

async function thousand(em: Emulator): Promise<BenchRow[]> {
  em.setRateLimits(UNLIMITED)
  const { apiKey } = em.createKey(OWNER)
  const runner = createRunner({ baseURL: em.baseURL, keys: [{ name: 'k', apiKey }], ledger: createLedger() })
  await runner.run({ agent: 'warm', prompt: PROMPT, tools: [add], model: MODEL })
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  const before = process.memoryUsage().heapUsed
  const n = 1000
  const t0 = performance.now()
  const results = await Promise.all(Array.from({ length: n }, (_, i) => runner.run({ agent: `agent-${i}`, prompt: PROMPT, tools: [add], model: MODEL })))
  const seconds = (performance.now() - t0) / 1000
  gc()
  const retained = process.memoryUsage().heapUsed - before
  const steps = results.reduce((s, r) => s + r.steps, 0)
  const ok = results.filter((r) => r.status === 'completed').length
  em.setRateLimits({})
  return [
    { issue: 6, metric: `1,000 agents in one process: retained heap per agent (conversation, result, ledger line; ${ok}/${n} completed)`, value: retained / n / 1024, unit: 'KiB' },
    { issue: 6, metric: '1,000 agents in one process: model steps per second (emulator in the same process)', value: steps / seconds, unit: 'steps/s' },
  ]
}

/** Runs the issue 6 measurements. */
export async function bench(): Promise<BenchRow[]> {
  const speed = 300
  const realStart = Date.now()
  const base = () => realStart + (Date.now() - realStart) * speed
  const plain = await startEmulator({ chain: createStaticChainReader({ [OWNER]: { svvv: 10n ** 18n } }), dailyPoolDiem: 1e9 })
  const fast = await startEmulator({ chain: createStaticChainReader({ [OWNER]: { svvv: 10n ** 18n } }), dailyPoolDiem: 1e9, clock: base })
  try {
    const shared = [...(await sharedKey(fast, speed, base, 'limit')), ...(await sharedKey(fast, speed, base, 'used'))]
    return [...(await overhead(plain)), ...shared, ...(await thousand(plain))]
  } finally {
    await plain.stop()
    await fast.stop()
  }
}
