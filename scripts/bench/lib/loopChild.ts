/**
 * One side of the per-step loop row, in a process of its own: `gondola` (a runner with its limiter,
 * balance monitor, ledger and connection pool, as `createRunner` sets them up), `bare` (the `openai`
 * SDK with its defaults), `bareNoFollow` (the same with `redirect: 'error'`) or `aisdk` (AI SDK 6 `generateText` with the OpenAI-compatible provider). A process per round means neither loop shares the other's JIT feedback,
 * heap or garbage, as in real use, where a process runs one of them.
 *
 * Protocol (IPC): warms up for `BENCH_LOOP_WARM` runs and sends `{ warmed: true }`; then, for each `{ block: runs }`,
 * runs that many and answers `{ block: { steps, cpuUs, wallMs } }`; exits on `{ done: true }`.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { generateText, stepCountIs, tool } from 'ai'
import OpenAI from 'openai'
import { z } from 'zod'
import { createLedger, createRunner } from '../../../src/agent/index.js'
import { add, bareRun, MODEL, PROMPT } from './loops.js'

const [side, baseURL, apiKey] = process.argv.slice(2) as ['gondola' | 'bare' | 'bareNoFollow' | 'aisdk', string, string]
const warm = Number(process.env.BENCH_LOOP_WARM)

let run: () => Promise<number>
if (side === 'gondola') {
  const runner = createRunner({ baseURL, keys: [{ name: 'k', apiKey }], ledger: createLedger() })
  run = async () => {
    const r = await runner.run({ agent: 'bench', prompt: PROMPT, tools: [add], model: MODEL })
    // A failed run is not a figure (the bare and AI SDK loops throw on failure too).
    if (r.status !== 'completed') throw new Error(`bench: the Gondola run ended ${r.status}${r.error ? `: ${r.error.message}` : ''}`)
    return r.steps
  }
} else if (side === 'aisdk') {
  // The same conversation as an AI SDK 6 user writes it: a provider, a tool with a zod schema, `generateText`.
  const model = createOpenAICompatible({ name: 'venice', baseURL, apiKey }).chatModel(MODEL)
  const tools = {
    add: tool({
      description: 'Adds two numbers and returns their sum.',
      inputSchema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
      execute: async ({ a, b }) => ({ sum: a + b }),
    }),
  }
  run = async () => (await generateText({ model, tools, prompt: PROMPT, stopWhen: stepCountIs(10), maxRetries: 0 })).steps.length
} else {
  // `bareNoFollow`: the same bare loop with the one fetch option Gondola's client sets (`redirect: 'error'`, which
  // spares fetch a clone of every request), so the bench can show how much of Gondola's figure that option is.
  const openai = new OpenAI({ apiKey, baseURL, maxRetries: 0, ...(side === 'bareNoFollow' && { fetchOptions: { redirect: 'error' } }) })
  run = async () => (await bareRun(openai, PROMPT, true)).steps
}

for (let i = 0; i < warm; i++) await run()
process.send!({ warmed: true })
// Then one block per `{ block: runs }` message, until `{ done: true }`. The parent alternates blocks between the
// sides' processes, all alive at once, so the blocks it compares ran seconds apart on the same machine state.
process.on('message', (m: { block?: number; done?: boolean }) => {
  if (m.done) return process.exit(0)
  void (async () => {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    let steps = 0
    for (let i = 0; i < m.block!; i++) steps += await run()
    const wallMs = performance.now() - t0
    const c = process.cpuUsage(c0)
    process.send!({ block: { steps, cpuUs: c.user + c.system, wallMs } })
  })().catch((e: unknown) => {
    process.stderr.write(`bench loop child: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
})
