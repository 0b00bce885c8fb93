import type { ChatCompletion } from 'openai/resources/chat/completions'
import { describe, expect, it } from 'vitest'
import { chargeOf } from '../src/agent/accounting.js'
import { parseVeniceHeaders } from '../src/venice/headers.js'

const completion = { usage: { prompt_tokens: 1_000_000, completion_tokens: 500_000, total_tokens: 1_500_000 } } as ChatCompletion
const price = { inputDiem: 0.15, outputDiem: 0.6, inputUsd: 0.15, outputUsd: 0.6 }

describe('chargeOf: how one call is paid', () => {
  it('on a key: Diem first, up to the balance before the call, then USD', () => {
    const c = chargeOf(completion, price, parseVeniceHeaders(new Headers({ 'x-venice-balance-diem': '0.2' })))
    expect(c.total).toBeCloseTo(0.45, 10)
    expect(c.costDiem).toBeCloseTo(0.2, 10)
    expect(c.costUsd).toBeCloseTo(0.25, 10)
  })

  it('on x402 credits (SIWX, X-Balance-Remaining in the answer): all USD, no Diem', () => {
    const c = chargeOf(completion, price, parseVeniceHeaders(new Headers({ 'x-balance-remaining': '4.55' })))
    expect(c).toMatchObject({ costDiem: 0, promptTokens: 1_000_000, completionTokens: 500_000 })
    expect(c.costUsd).toBeCloseTo(0.45, 10)
  })
})
