import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { generateText, stepCountIs } from 'ai'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { createSelfFundingFetch } from '../src/adapters/selfFundingFetch.js'
import { toAiSdkTools } from '../src/adapters/aiSdk.js'
import type { FundingOutcome } from '../src/agent/funding.js'
import { createWalletTopUp } from '../src/host/walletTopUp.js'
import { defineTool } from '../src/tools/defineTool.js'
import { walletBalancesTool } from '../src/tools/builtin/wallet.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
// A daily pool so small that the wallet's sVVV share runs dry after the first call: the second gets a 402.
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, dailyPoolDiem: 0.00001 })

async function fundedClient(agent: string) {
  const { wallet, store } = await provisionedWallet(devnet(), emulator().baseURL, { agents: [agent] })
  const key = store.keys('INFERENCE').find((k) => k.agent === agent)!
  const outcomes: FundingOutcome[] = []
  const funded = createSelfFundingFetch({
    baseURL: emulator().baseURL,
    apiKey: store.reveal(key.id),
    agent,
    topUp: createWalletTopUp({ wallet, policy: { ethPerTopUp: parseEther('0.01'), mintDiem: true, cooldownMs: 60_000 } }),
    funding: { minRunwayHours: 0.001 },
    onFunding: (o) => outcomes.push(o),
  })
  return { wallet, funded, outcomes }
}

describe('self-funding fetch for any OpenAI-compatible client', () => {
  it('plain openai SDK: a 402 mid-conversation is topped up on anvil, and the call succeeds', async () => {
    const { wallet, funded, outcomes } = await fundedClient('plain')
    const openai = new OpenAI({ baseURL: emulator().baseURL, apiKey: 'replaced-by-gondola', fetch: funded.fetch, maxRetries: 0 })
    const before = await getBalances(wallet)
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about gondolas in Venice.' }]
    for (let i = 0; i < 3; i++) {
      const r = await openai.chat.completions.create({ model: 'qwen3-4b', messages })
      expect(r.choices[0]!.message.content!.length).toBeGreaterThan(0)
      messages.push(r.choices[0]!.message, { role: 'user', content: 'And then?' })
    }
    funded.close()
    expect(outcomes.filter((o) => o.action === 'topped_up')).toHaveLength(1)
    const after = await getBalances(wallet)
    expect(after.diem.staked).toBeGreaterThan(before.diem.staked)
    expect(before.eth - after.eth).toBeGreaterThanOrEqual(parseEther('0.01'))
    expect(funded.ledger.entries()).toHaveLength(3)
    expect(funded.ledger.entries().every((e) => e.agent === 'plain' && e.costDiem + e.costUsd > 0)).toBe(true)
  })

  it('AI SDK (OpenAI-compatible provider): generateText with multi-step Gondola tool calls, self-funded', async () => {
    const { wallet, funded, outcomes } = await fundedClient('aisdk')
    const venice = createOpenAICompatible({ name: 'venice', baseURL: emulator().baseURL, apiKey: 'replaced-by-gondola', fetch: funded.fetch })
    const calls: string[] = []
    const add = defineTool({
      name: 'add_numbers',
      description: 'Adds two numbers.',
      schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
      handler: ({ a, b }) => (calls.push('add_numbers'), a + b),
    })
    const balances = walletBalancesTool({ getBalances: async () => (calls.push('get_wallet_balances'), { eth: String((await getBalances(wallet)).eth) }) })
    const result = await generateText({
      model: venice.chatModel('qwen3-4b'),
      tools: toAiSdkTools([add, balances]),
      stopWhen: stepCountIs(5),
      prompt: 'Call get_wallet_balances and add_numbers with a=2 and b=3, then summarise.',
    })
    funded.close()
    expect(calls).toEqual(expect.arrayContaining(['get_wallet_balances', 'add_numbers']))
    expect(result.steps.length).toBeGreaterThanOrEqual(2)
    expect(result.text.length).toBeGreaterThan(0)
    // The second model call ran dry and was funded on chain.
    expect(outcomes.map((o) => o.action)).toContain('topped_up')
    expect(funded.ledger.entries().length).toBe(result.steps.length)
  })

  it('a handler error reaches the AI SDK model as text, not as a thrown error', async () => {
    const failing = defineTool({
      name: 'always_refused',
      description: 'Refused.',
      schema: z.object({}),
      handler: () => {
        throw new Error('refused by policy: cap')
      },
    })
    const tools = toAiSdkTools([failing])
    const out = await (tools.always_refused as { execute: (a: unknown, o: object) => Promise<unknown> }).execute({}, {})
    expect(out).toBe('Error: always_refused failed: refused by policy: cap')
  })
})

describe('self-funding fetch: streamed completions are charged too', () => {
  it('openai SDK stream without include_usage: charged from the usage chunk, which the caller never sees', async () => {
    const { funded } = await fundedClient('streamer')
    const openai = new OpenAI({ baseURL: emulator().baseURL, apiKey: 'replaced-by-gondola', fetch: funded.fetch, maxRetries: 0 })
    const stream = await openai.chat.completions.create({
      model: 'qwen3-4b',
      stream: true,
      messages: [{ role: 'user', content: 'Describe the Rialto bridge.' }],
    })
    let text = ''
    let chunks = 0
    for await (const chunk of stream) {
      chunks++
      // Every chunk the caller sees has a choice: the usage-only chunk Gondola asked for is hidden.
      expect(chunk.choices.length).toBe(1)
      expect(chunk.usage ?? undefined).toBeUndefined()
      text += chunk.choices[0]!.delta.content ?? ''
    }
    await funded.flush()
    funded.close()
    expect(chunks).toBeGreaterThan(1)
    expect(text.length).toBeGreaterThan(0)
    const [entry, ...rest] = funded.ledger.entries()
    expect(rest).toHaveLength(0)
    expect(entry!.agent).toBe('streamer')
    expect(entry!.completionTokens).toBeGreaterThan(0)
    expect(entry!.promptTokens).toBeGreaterThan(0)
    expect(entry!.costDiem + entry!.costUsd).toBeGreaterThan(0)
    expect(entry!.completionId).toMatch(/\S/)
  })

  it('a caller that asked for usage gets the usage chunk, and the call is charged once', async () => {
    const { funded } = await fundedClient('usage-asker')
    const openai = new OpenAI({ baseURL: emulator().baseURL, apiKey: 'replaced-by-gondola', fetch: funded.fetch, maxRetries: 0 })
    const stream = await openai.chat.completions.create({
      model: 'qwen3-4b',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi' }],
    })
    let seen: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) if (chunk.usage) seen = chunk.usage
    await funded.flush()
    funded.close()
    expect(seen?.completion_tokens).toBeGreaterThan(0)
    expect(funded.ledger.entries()).toHaveLength(1)
    expect(funded.ledger.entries()[0]!.completionTokens).toBe(seen!.completion_tokens)
  })
})

describe('meterStream against a hostile stream', () => {
  it('an event that never ends is forwarded byte for byte, without buffering it whole', async () => {
    const { meterStream } = await import('../src/adapters/meterStream.js')
    const piece = new TextEncoder().encode(`data: ${'x'.repeat(64 * 1024)}`)
    let sent = 0
    const hostile = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 40)
          c.enqueue(piece) // 2.5 MiB with no blank line
        else c.close()
      },
    })
    let ended = false
    const reader = meterStream(hostile, { hideUsageChunk: true, onEnd: () => (ended = true) }).getReader()
    let total = 0
    let largest = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      largest = Math.max(largest, value.byteLength)
    }
    expect(total).toBe(40 * piece.byteLength)
    // Forwarded in pieces around the 1 MiB cap, not held back until the end.
    expect(largest).toBeLessThan(1.2 * 1024 * 1024)
    expect(ended).toBe(true)
  })
})

describe('meterStream with a server that streams token by token', () => {
  it('events split across many small chunks pass through whole, and the usage is read', async () => {
    const { meterStream } = await import('../src/adapters/meterStream.js')
    const body =
      'data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"Ciao"}}]}\n\n' +
      'data: {"id":"c1","model":"m","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}\n\n' +
      'data: [DONE]\n\n'
    const bytes = new TextEncoder().encode(body)
    let at = 0
    // Five bytes per chunk: most chunks hold no whole event.
    const trickle = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= bytes.length) return c.close()
        c.enqueue(bytes.slice(at, at + 5))
        at += 5
      },
    })
    let usage: unknown
    const out = await new Response(meterStream(trickle, { hideUsageChunk: true, onEnd: (u) => (usage = u) })).text()
    expect(out).toBe(body.replace(/data: \{"id":"c1","model":"m","choices":\[\],"usage".*\n\n/, ''))
    expect(usage).toEqual({ id: 'c1', model: 'm', promptTokens: 7, completionTokens: 3 })
  })
})

describe('self-funding fetch funds itself (issue #25 item 4)', () => {
  // Venice reads stakes with a delay: this emulator caches a wallet's stake for 2 s, as the real API lags the chain.
  const lagging = useEmulatorOn(devnet, { chainCacheMs: 2_000, dailyPoolDiem: 0.00001 })
  // A roomy account: only the runway, never an empty balance, can start a top-up here.
  const roomy = useEmulatorOn(devnet, { chainCacheMs: 0 })

  async function fundedOn(baseURL: string, agent: string, funding: { minRunwayHours: number; cooldownMs: number }) {
    const { wallet, store } = await provisionedWallet(devnet(), baseURL, { agents: [agent] })
    const key = store.keys('INFERENCE').find((k) => k.agent === agent)!
    const statuses: number[] = []
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init)
      if (String(input instanceof Request ? input.url : input).endsWith('/chat/completions')) statuses.push(res.status)
      return res
    }
    const outcomes: FundingOutcome[] = []
    const funded = createSelfFundingFetch({
      baseURL,
      apiKey: store.reveal(key.id),
      agent,
      fetch: counting,
      funding,
      onFunding: (o) => outcomes.push(o),
      topUp: createWalletTopUp({ wallet, policy: { ethPerTopUp: parseEther('0.01'), mintDiem: true, cooldownMs: 3_600_000 } }),
    })
    const openai = new OpenAI({ baseURL, apiKey: 'replaced-by-gondola', fetch: funded.fetch, maxRetries: 0 })
    return { wallet, funded, openai, statuses, outcomes }
  }

  it('records every charged call in its monitor, so a short runway tops up before any 402 (plain openai SDK)', async () => {
    // Any finite runway is "short" under this threshold: the first charged call must start a top-up.
    const { funded, openai, statuses, outcomes } = await fundedOn(roomy().baseURL, 'runway-short', { minRunwayHours: 1e12, cooldownMs: 3_600_000 })
    const r = await openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'Hello' }] })
    expect(r.choices[0]!.message.content!.length).toBeGreaterThan(0)
    const s = funded.monitor.snapshot()
    expect(s.burnPerHour).toBeGreaterThan(0)
    expect(Number.isFinite(s.runwayHours)).toBe(true)
    // The runway-triggered top-up (started by the monitor, in the background) finishes on anvil without a single 402.
    await expect.poll(() => funded.funding!.history().length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0)
    funded.close()
    expect(funded.funding!.history().map((h) => [h.request.reason, h.outcome.action])).toEqual([['runway', 'topped_up']])
    expect(statuses).toEqual([200])
    expect(outcomes).toEqual([])
  })

  it('after a 402 top-up it waits until Venice reports the new balance, so its one retry succeeds (plain openai SDK)', async () => {
    const { funded, openai, statuses, outcomes } = await fundedOn(lagging().baseURL, 'retry-after-topup', { minRunwayHours: 0.001, cooldownMs: 60_000 })
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about gondolas in Venice.' }]
    for (let i = 0; i < 3; i++) {
      const r = await openai.chat.completions.create({ model: 'qwen3-4b', messages })
      messages.push(r.choices[0]!.message, { role: 'user', content: 'And then?' })
    }
    funded.close()
    expect(outcomes.map((o) => o.action)).toContain('topped_up')
    // Exactly one 402 (the one that started the top-up); the retry after it went through.
    expect(statuses.filter((s) => s === 402)).toHaveLength(1)
    expect(statuses.at(-1)).toBe(200)
  })
})
