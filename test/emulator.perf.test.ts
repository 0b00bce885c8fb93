import { describe, expect, it } from 'vitest'
import { createStaticChainReader } from '../devnet/src/emulator/chainReader.js'
import { sseBody, streamChunks } from '../devnet/src/emulator/routes/chat.js'
import { createAccounts } from '../devnet/src/emulator/state/accounts.js'
import { createClock } from '../devnet/src/emulator/state/clock.js'
import { createKeyStore } from '../devnet/src/emulator/state/keyStore.js'
import { UsageLog } from '../devnet/src/emulator/state/usageLog.js'
import type { UsageEntry } from '../devnet/src/emulator/state/accounts.js'

const OWNER = '0x00000000000000000000000000000000000000a1'

describe('emulator usage list at its cap', () => {
  it('UsageLog keeps the newest `capacity` records, oldest first, every field as pushed (growing, then wrapping)', () => {
    const entry = (i: number): UsageEntry => ({
      model: i % 2 ? 'qwen3-4b' : 'venice-uncensored',
      promptTokens: i,
      completionTokens: i * 3,
      kind: i % 3 ? 'chat' : 'embedding',
      requestId: `chatcmpl-${i}`,
      seq: i,
      at: 1_780_000_000_000 + i * 7,
      keyId: `k${i % 5}`,
      usd: i === 4 ? -0 : i * 1e-7,
      diem: 0.1 + i / 3,
    })
    const log = new UsageLog(200)
    expect([...log]).toEqual([])
    for (let i = 1; i <= 70; i++) log.push(entry(i)) // past the first 64 slots: grows, keeps order
    expect([...log]).toEqual(Array.from({ length: 70 }, (_, k) => entry(k + 1)))
    expect(Object.is([...log][3]!.usd, -0)).toBe(true)
    for (let i = 71; i <= 531; i++) log.push(entry(i)) // grows to the cap (200), then overwrites the oldest
    expect(log.length).toBe(200)
    const all = [...log]
    expect(all).toEqual(Array.from({ length: 200 }, (_, k) => entry(332 + k)))
    // Same key order as the object-per-record list it replaces (the charge's line, then the bookkeeping).
    expect(Object.keys(all[0]!)).toEqual(['model', 'promptTokens', 'completionTokens', 'kind', 'requestId', 'seq', 'at', 'keyId', 'usd', 'diem'])
    const small = new UsageLog(3)
    for (let i = 1; i <= 8; i++) small.push(entry(i))
    expect([...small].map((e) => e.seq)).toEqual([6, 7, 8])
    expect(() => new UsageLog(0)).toThrow(RangeError)
  })

  it('keeps the last 10,000 charges of a user in charge order', async () => {
    const clock = createClock(() => Date.UTC(2026, 5, 1))
    const accounts = createAccounts({
      chain: createStaticChainReader({ [OWNER]: { svvv: 10n ** 18n } }),
      clock,
      epochMs: 86_400_000,
      dailyPoolDiem: 1e9,
      usdBalance: 0,
    })
    const { record } = createKeyStore().create(OWNER, { apiKeyType: 'INFERENCE' }, clock.now())
    for (let i = 0; i < 10_007; i++) await accounts.charge(record, 1e-6, { model: 'qwen3-4b', promptTokens: i, completionTokens: 1, kind: 'chat' })
    const usage = [...accounts.user(OWNER).usage]
    expect(usage).toHaveLength(10_000)
    expect(usage[0]!.promptTokens).toBe(7)
    expect(usage.at(-1)!.promptTokens).toBe(10_006)
    expect(usage.every((u, i) => i === 0 || u.seq === usage[i - 1]!.seq + 1)).toBe(true)
  })
})

describe('emulator SSE body', () => {
  const head = { id: 'chatcmpl-1', created: 1_780_000_000, model: 'qwen3-4b' }
  const reference = (c: Parameters<typeof streamChunks>[1], usage?: Record<string, unknown>) =>
    streamChunks(head, c, usage)
      .map((x) => `data: ${JSON.stringify(x)}\n\n`)
      .join('') + 'data: [DONE]\n\n'

  it('is byte-identical to stringifying every chunk (content, reasoning, quotes, usage)', () => {
    const text = {
      content: 'He said "hi"\n\\ and then 🚀 went on for more than twenty-four characters.',
      reasoning: 'think "hard"',
      toolCalls: [],
      finishReason: 'stop' as const,
      completionTokens: 9,
    }
    const usage = { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12, prompt_tokens_details: null }
    expect(sseBody(head, text, usage)).toBe(reference(text, usage))
    expect(sseBody(head, { ...text, reasoning: null })).toBe(reference({ ...text, reasoning: null }))
  })

  it('is byte-identical for tool calls and an empty content', () => {
    const calls = {
      content: null,
      reasoning: null,
      toolCalls: [
        { id: 'call_1', type: 'function' as const, function: { name: 'add', arguments: '{"a":2,"b":3}' } },
        { id: 'call_2', type: 'function' as const, function: { name: 'get_balance', arguments: '{}' } },
      ],
      finishReason: 'tool_calls' as const,
      completionTokens: 4,
    }
    expect(sseBody(head, calls)).toBe(reference(calls))
  })
})
