import { describe, expect, it } from 'vitest'
import type { BaseError } from '../src/errors/BaseError.js'
import { requestTopUpTool } from '../src/tools/index.js'
import { parseAmount } from '../src/wallet/amounts.js'

describe('request_top_up: the model’s bad input is its own answer, not the operator’s usage error (issue #26)', () => {
  it('an amount with 19 decimals goes back to the model as a tool answer; no funding failure is recorded', async () => {
    const failures: BaseError[] = []
    let sent = 0
    // The host's request_top_up parses the model's amount exactly like this (src/host/hostTools.ts).
    const tool = requestTopUpTool({
      requestTopUp: async ({ ethAmount }) => {
        const eth = ethAmount ? parseAmount(ethAmount, { symbol: 'ETH', field: 'ethAmount' }) : 10n ** 16n
        sent++
        return { ok: true, summary: `swapped ${eth}` }
      },
      onFailure: (e) => failures.push(e),
    })
    const answer = await tool.handler({ reason: 'runway short', ethAmount: '0.0000000000000000001' }, { agent: 'treasurer' } as never)
    expect(String(answer)).toMatch(/^Top-up request not valid: .*Nothing was sent\.$/)
    // Before: the usage error was recorded as the run's funding failure, and `gondola run` exited 2.
    expect(failures).toEqual([])
    expect(sent).toBe(0)
  })
})
