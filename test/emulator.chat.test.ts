import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { ALICE, call, expectSpecResponse, useEmulator } from './helpers/useEmulator.js'

// ALICE holds 1 % of all sVVV: 1 % of the 1000-Diem pool = 10 Diem per epoch.
const emulator = useEmulator({
  stakes: { [ALICE]: { svvv: 10n ** 18n }, '0x00000000000000000000000000000000000000b0': { svvv: 99n * 10n ** 18n } },
  dailyPoolDiem: 1000,
  adminEndpoint: true,
})

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_balance',
      description: 'Read the ETH and VVV balance of a wallet address',
      parameters: { type: 'object', properties: { address: { type: 'string' } }, required: ['address'], additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'swap_eth_for_vvv',
      description: 'Swap ETH into VVV on Uniswap',
      parameters: {
        type: 'object',
        properties: {
          amountEth: { type: 'number', minimum: 0.001, maximum: 1 },
          slippageBps: { type: 'integer', default: 50 },
          speed: { type: 'string', enum: ['slow', 'fast'] },
        },
        required: ['amountEth', 'speed'],
        additionalProperties: false,
      },
    },
  },
]

function client(apiKey: string) {
  return new OpenAI({ apiKey, baseURL: emulator().baseURL, maxRetries: 0 })
}

describe('chat completions through the openai SDK', () => {
  it('answers in text with usage, cost, Venice headers, and a body valid under the spec', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const { data, response } = await client(apiKey)
      .chat.completions.create({ model: 'llama-3.3-70b', messages: [{ role: 'user', content: 'What is Venice?' }] })
      .withResponse()
    expect(data.choices[0]!.message.content).toContain('What is Venice?')
    expect(data.choices[0]!.finish_reason).toBe('stop')
    expect(data.usage).toMatchObject({ prompt_tokens: 4 + Math.ceil('What is Venice?'.length / 4) })
    expect(response.headers.get('x-venice-balance-diem')).toBe('10')
    expect(response.headers.get('x-venice-balance-usd')).toBe('0')
    expect(response.headers.get('x-venice-model-id')).toBe('llama-3.3-70b')
    expect(response.headers.get('cf-ray')).toMatch(/-EMU$/)
    expect(Number(response.headers.get('x-ratelimit-limit-requests'))).toBe(50)
    expect(Number(response.headers.get('x-ratelimit-reset-requests'))).toBeGreaterThan(emulator().now() / 1000)
    expect(Number(response.headers.get('x-ratelimit-reset-tokens'))).toBeLessThanOrEqual(60)
    // llama-3.3-70b: $0.70 in / $2.80 out per 1M tokens, paid in Diem first.
    const expected = (0.7 * data.usage!.prompt_tokens + 2.8 * data.usage!.completion_tokens) / 1e6
    expect((data as unknown as { cost: { diem: number; usd: number } }).cost).toEqual({ diem: expect.closeTo(expected, 12), usd: 0 })
    expectSpecResponse('/chat/completions', 'post', 200, data)
    const after = await emulator().balances(ALICE)
    expect(after.diem).toBeCloseTo(10 - expected, 12)
  })

  it('calls the tool named in the message, filling arguments from the message', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const res = await client(apiKey).chat.completions.create({
      model: 'function_calling_default',
      messages: [{ role: 'user', content: 'Please get_balance of 0x00000000000000000000000000000000000000aa' }],
      tools,
    })
    const calls = res.choices[0]!.message.tool_calls!
    expect(res.choices[0]!.finish_reason).toBe('tool_calls')
    expect(calls).toHaveLength(1)
    const call0 = calls[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall
    expect(call0.function.name).toBe('get_balance')
    expect(JSON.parse(call0.function.arguments)).toEqual({ address: '0x00000000000000000000000000000000000000aa' })
    expectSpecResponse('/chat/completions', 'post', 200, res)
  })

  it('makes parallel calls when several tools are named, clamps numbers and picks enum words', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const res = await client(apiKey).chat.completions.create({
      model: 'qwen3-4b',
      messages: [{ role: 'user', content: 'swap_eth_for_vvv 5 ETH fast, then get_balance' }],
      tools,
    })
    const calls = res.choices[0]!.message.tool_calls! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall[]
    expect(calls.map((c) => c.function.name)).toEqual(['swap_eth_for_vvv', 'get_balance'])
    expect(JSON.parse(calls[0]!.function.arguments)).toEqual({ amountEth: 1, slippageBps: 50, speed: 'fast' })
    expect(JSON.parse(calls[1]!.function.arguments)).toEqual({ address: 'address' })
    const single = await client(apiKey).chat.completions.create({
      model: 'qwen3-4b',
      messages: [{ role: 'user', content: 'swap_eth_for_vvv then get_balance' }],
      tools,
      parallel_tool_calls: false,
    })
    expect(single.choices[0]!.message.tool_calls).toHaveLength(1)
  })

  it('falls back to description overlap, honours tool_choice, and answers from tool results', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const c = client(apiKey)
    const overlap = await c.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'I want to swap some ETH on uniswap' }], tools })
    expect((overlap.choices[0]!.message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function.name).toBe('swap_eth_for_vvv')
    const none = await c.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hello' }], tools })
    expect(none.choices[0]!.message.tool_calls).toEqual([])
    const forced = await c.chat.completions.create({
      model: 'qwen3-4b',
      messages: [{ role: 'user', content: 'hello' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_balance' } },
    })
    expect((forced.choices[0]!.message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function.name).toBe('get_balance')
    const off = await c.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'get_balance now' }], tools, tool_choice: 'none' })
    expect(off.choices[0]!.message.tool_calls).toEqual([])
    const answered = await c.chat.completions.create({
      model: 'qwen3-4b',
      tools,
      messages: [
        { role: 'user', content: 'get_balance please' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_balance', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"eth":"1.5"}' },
      ],
    })
    expect(answered.choices[0]!.message.content).toBe('Based on the tool results: get_balance returned {"eth":"1.5"}.')
  })

  it('returns JSON valid for a json_schema response_format, personas, and reasoning by model', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const c = client(apiKey)
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, people: { type: 'integer', minimum: 1 } },
      required: ['city', 'people'],
      additionalProperties: false,
    }
    const json = await c.chat.completions.create({
      model: 'zai-org-glm-5-2',
      messages: [{ role: 'user', content: 'Plan for "Lisbon" with 3 people' }],
      response_format: { type: 'json_schema', json_schema: { name: 'plan', strict: true, schema } },
    })
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ city: 'Lisbon', people: 3 })
    const persona = await c.chat.completions.create({
      model: 'venice-uncensored-1-2',
      messages: [{ role: 'user', content: 'What is time?' }],
      venice_parameters: { character_slug: 'alan-watts' },
    } as never)
    expect((persona as OpenAI.Chat.ChatCompletion).choices[0]!.message.content).toMatch(/^Ah, you see, my friend, .*— Alan Watts$/)
    expect((persona as unknown as { venice_parameters: { character_slug: string } }).venice_parameters.character_slug).toBe('alan-watts')
    const reasoning = await c.chat.completions.create({ model: 'default_reasoning', messages: [{ role: 'user', content: 'why?' }] })
    expect((reasoning.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toContain('why?')
    const stripped = await c.chat.completions.create({ model: 'kimi-k3:strip_thinking_response=true', messages: [{ role: 'user', content: 'why?' }] })
    expect((stripped.choices[0]!.message as unknown as { reasoning_content: null }).reasoning_content).toBeNull()
    expect((stripped as unknown as { venice_parameters: { strip_thinking_response: boolean } }).venice_parameters.strip_thinking_response).toBe(true)
  })

  it('streams SSE chunks that the SDK reassembles, with a usage chunk when asked', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    const stream = await client(apiKey).chat.completions.create({
      model: 'llama-3.3-70b',
      messages: [{ role: 'user', content: 'stream this please' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined | null
    let finish: string | null = null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toContain('stream this please')
    expect(finish).toBe('stop')
    expect(usage?.completion_tokens).toBe(Math.ceil(text.length / 4))
    const toolStream = await client(apiKey).chat.completions.create({
      model: 'qwen3-4b',
      messages: [{ role: 'user', content: 'get_balance' }],
      tools,
      stream: true,
    })
    const names: string[] = []
    for await (const chunk of toolStream) for (const t of chunk.choices[0]?.delta.tool_calls ?? []) if (t.function?.name) names.push(t.function.name)
    expect(names).toEqual(['get_balance'])
  })

  it('serves scripted responses in order, in-process and through the admin endpoint', async () => {
    const { apiKey } = emulator().createKey(ALICE)
    emulator().script(apiKey, [{ content: 'first' }, { tool_calls: [{ name: 'get_balance', arguments: { address: '0x1' } }] }])
    const admin = await call(emulator().baseURL, '/_emulator/script', { body: { apiKey, responses: [{ status: 503, error: 'scripted capacity' }] } })
    expect(admin.json).toEqual({ queued: 3 })
    const c = client(apiKey)
    const ask = () => c.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'x' }] })
    expect((await ask()).choices[0]!.message.content).toBe('first')
    const second = await ask()
    expect((second.choices[0]!.message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function.arguments).toBe('{"address":"0x1"}')
    await expect(ask()).rejects.toMatchObject({ status: 503, constructor: OpenAI.InternalServerError })
    expect((await ask()).choices[0]!.message.content).toContain('You asked')
  })
})

describe('errors arrive as the SDK APIError subclasses', () => {
  it('401 for an unknown key, 400 with details for an invalid body or unknown model', async () => {
    const bad = client('not-a-key')
    const unauth = await bad.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
    expect(unauth).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((unauth as InstanceType<typeof OpenAI.AuthenticationError>).headers.get('cf-ray')).toBeTruthy()
    const { apiKey } = emulator().createKey(ALICE)
    const res = await call(emulator().baseURL, '/chat/completions', {
      apiKey,
      body: { model: 'qwen3-4b', messages: [{ role: 'user', content: 'x' }], temperature: 9 },
    })
    expect(res.status).toBe(400)
    expect(res.json.error).toBe('Invalid request parameters')
    expect(res.json.details).toMatchObject({ _errors: [], temperature: { _errors: [expect.stringContaining('<= 2')] } })
    expectSpecResponse('/chat/completions', 'post', 400, res.json)
    const extra = await call(emulator().baseURL, '/chat/completions', {
      apiKey,
      body: { model: 'qwen3-4b', messages: [{ role: 'user', content: 'x' }], bogus: 1 },
    })
    expect(extra.json.details._errors[0]).toContain("'bogus'")
    const unknown = await client(apiKey)
      .chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError)
  })

  it('402 when the account has nothing to spend, and the deprecation headers of a deprecated model', async () => {
    const broke = '0x00000000000000000000000000000000000000B2'
    const { apiKey } = emulator().createKey(broke)
    const err = await client(apiKey)
      .chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402)
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toBe('Insufficient USD or Diem balance to complete request')
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('x-venice-balance-diem')).toBe('0')
    emulator().setUsdBalance(broke, 1)
    const { response } = await client(apiKey)
      .chat.completions.create({ model: 'e2ee-qwen3-6-27b', messages: [{ role: 'user', content: 'x' }] })
      .withResponse()
    expect(response.headers.get('x-venice-balance-usd')).toBe('1')
    expect(response.headers.get('x-venice-model-deprecation-warning')).toContain('deprecated')
    expect(response.headers.get('x-venice-model-deprecation-date')).toBe('2026-08-27T13:00:00.000Z')
    expect((await emulator().balances(broke)).usd).toBeLessThan(1)
  })
})
