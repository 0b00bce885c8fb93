import { describe, expect, it } from 'vitest'
import type { TopUpFn, TopUpRequest } from '../src/agent/funding.js'
import type { RailCosts } from '../src/agent/fundingRail.js'
import { createRailTopUp } from '../src/host/railTopUp.js'

// The two top-ups are the boundary here (each is tested on the devnet in its own file): fakes that record calls.
function rails() {
  const calls: string[] = []
  const fake =
    (name: string): TopUpFn =>
    async () => {
      calls.push(name)
      return { ok: true, summary: name }
    }
  return { calls, diem: fake('diem'), x402: fake('x402') }
}
const request: TopUpRequest = { reason: 'runway', runwayHours: 2, spendable: 0.1 }

describe('the top-up path by funding.rail (#29 item 4)', () => {
  it('auto tops up on the cheaper rail, asking for the costs at each top-up', async () => {
    const r = rails()
    let costs: RailCosts = { diem: 8_470_000n, x402: 5_400_000n }
    const chosen: string[] = []
    const topUp = createRailTopUp({
      rail: 'auto',
      diem: r.diem,
      x402: r.x402,
      costs: async () => costs,
      onChoice: (rail, why) => chosen.push(`${rail}: ${why}`),
    })
    expect(await topUp(request)).toEqual({ ok: true, summary: 'x402' })
    costs = { diem: -9_110_000n, x402: 60_560_000n }
    await topUp(request)
    expect(r.calls).toEqual(['x402', 'diem'])
    expect(chosen).toEqual([
      'x402: funding.rail is auto: x402 is cheaper for the measured usage',
      'diem: funding.rail is auto: diem is cheaper for the measured usage',
    ])
  })

  it('auto falls back to the Diem rail when the rails cannot be priced, or the host has no x402 top-up', async () => {
    const r = rails()
    await createRailTopUp({ rail: 'auto', diem: r.diem, x402: r.x402, costs: () => Promise.reject(new Error('RPC down')) })(request)
    await createRailTopUp({ rail: 'auto', diem: r.diem, costs: async () => ({ diem: 9n, x402: 1n }) })(request)
    await createRailTopUp({ rail: 'auto', diem: r.diem, x402: r.x402 })(request)
    expect(r.calls).toEqual(['diem', 'diem', 'diem'])
  })

  it('a fixed rail is used as set (never priced); x402 without an x402 top-up is refused in words', async () => {
    const r = rails()
    let priced = 0
    const costs = async () => {
      priced++
      return { diem: 9n, x402: 1n }
    }
    await createRailTopUp({ rail: 'diem', diem: r.diem, x402: r.x402, costs })(request)
    await createRailTopUp({ rail: undefined, diem: r.diem, x402: r.x402, costs })(request)
    await createRailTopUp({ rail: 'x402', diem: r.diem, x402: r.x402, costs })(request)
    expect([r.calls, priced]).toEqual([['diem', 'diem', 'x402'], 0])
    expect(await createRailTopUp({ rail: 'x402', diem: r.diem })(request)).toEqual({
      ok: false,
      refusal: 'funding.rail is x402, but this host has no x402 top-up: set GONDOLA_FUNDING_RAIL=diem or auto.',
    })
  })
})
