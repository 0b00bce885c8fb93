/**
 * A `fetch` that answers like the emulator without a network: `/models` and `/models/traits` (for the runner's
 * price book) and chat completions (a tool call to `add`, then a text answer once the tool's result is in), each
 * with the headers a live chat completion carries (rate limits, balances, model). Responses are real `Response`s,
 * so both loops run the whole openai SDK path (request building, headers, JSON parsing) and only the socket is missing.
 */
import { MODEL } from './loops.js'

const MODELS = JSON.stringify({
  object: 'list',
  type: 'text',
  data: [
    {
      id: MODEL,
      type: 'text',
      object: 'model',
      created: 1,
      owned_by: 'venice.ai',
      model_spec: {
        pricing: { input: { usd: 0.05, diem: 0.05 }, output: { usd: 0.15, diem: 0.15 } },
        availableContextTokens: 32768,
        capabilities: { supportsFunctionCalling: true },
        traits: [],
        modelSource: '',
        offline: false,
      },
    },
  ],
})

/**
 * @example
 * ```ts
 * const openai = new OpenAI({ apiKey: 'k', baseURL: 'http://canned/api/v1', fetch: createCannedFetch() })
 * ```
 */
export function createCannedFetch(): typeof fetch {
  let n = 0
  const headers = () => ({
    'cf-ray': `76b3f659${String(n).padStart(8, '0')}-EMU`,
    'content-type': 'application/json; charset=utf-8',
    date: new Date().toUTCString(),
    'x-ratelimit-limit-requests': '1000000000',
    'x-ratelimit-limit-tokens': '1000000000000',
    'x-ratelimit-remaining-requests': String(999_999_999 - n),
    'x-ratelimit-remaining-tokens': String(1e12 - 30 * n),
    'x-ratelimit-reset-requests': String(Math.ceil(Date.now() / 1000) + 60),
    'x-ratelimit-reset-tokens': '3',
    'x-venice-balance-diem': String(12.5 - n * 1e-5),
    'x-venice-balance-usd': '0',
    'x-venice-model-id': MODEL,
    'x-venice-model-name': 'Venice Small',
    'x-venice-version': '20260821.193530',
  })
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (url.includes('/models/traits')) return new Response('{"object":"list","data":{}}', { headers: headers() })
    if (url.includes('/models')) return new Response(MODELS, { headers: headers() })
    const { messages } = JSON.parse(String(init?.body)) as { messages: { role: string }[] }
    const toolTurn = messages[messages.length - 1]?.role !== 'tool'
    const message = toolTurn
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: `call_${++n}`, type: 'function', function: { name: 'add', arguments: '{"a":2,"b":3}' } }],
        }
      : { role: 'assistant', content: 'The sum is 5.', refusal: null, tool_calls: [] }
    const completion = {
      id: `chatcmpl-${n}`,
      object: 'chat.completion',
      created: 1,
      model: MODEL,
      choices: [{ index: 0, finish_reason: toolTurn ? 'tool_calls' : 'stop', logprobs: null, message }],
      usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
    }
    return new Response(JSON.stringify(completion), { headers: headers() })
  }
}
