import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LedgerEntry } from '../src/agent/ledger.js'
import { inflightStore } from '../src/social/inflight.js'
import { INFLIGHT_MAX_MS, reconcileInflight } from '../src/social/reconcile.js'
import type { BillingEntry } from '../src/venice/schemas.js'

const T0 = Date.parse('2026-12-05T10:00:00Z')
const row = (at: number, amount: number, o: { requestId?: string; currency?: BillingEntry['currency']; sku?: string } = {}): BillingEntry => ({
  amount: -amount,
  currency: o.currency ?? 'DIEM',
  inferenceDetails: o.requestId ? { completionTokens: 20, promptTokens: 100, inferenceExecutionTime: null, requestId: o.requestId } : null,
  notes: 'API Inference',
  pricePerUnitUsd: amount,
  sku: o.sku ?? 'model-chat',
  timestamp: new Date(at).toISOString(),
  units: 1,
})

/** A marker file, a ledger in an array, and a billing ledger the test writes (the unit tier; the process test is social.inflight). */
async function world(now: number) {
  const inflight = inflightStore(join(await mkdtemp(join(tmpdir(), 'gondola-inflight-')), 'bot.inflight.json'), () => T0)
  const lines: LedgerEntry[] = []
  const billing: BillingEntry[] = []
  const pass = () =>
    reconcileInflight({
      agent: 'bot',
      inflight,
      readBilling: async (since) => billing.filter((r) => Date.parse(r.timestamp) >= since),
      recorded: async (since) => lines.filter((l) => Date.parse(l.ts) >= since),
      record: async (e) => void lines.push(e),
      now: () => now,
    })
  return { inflight, lines, billing, pass }
}

describe('reconcileInflight (calls a kill left in flight, settled from billing)', () => {
  it('records a billed request once, summing its Diem and USD rows; a second pass adds nothing', async () => {
    const w = await world(T0 + 10_000)
    await w.inflight.add({ kind: 'chat', model: 'default', estimateDiem: 0.001 })
    w.billing.push(row(T0 + 2_000, 0.003, { requestId: 'chatcmpl-a' }), row(T0 + 2_000, 0.0005, { requestId: 'chatcmpl-a', currency: 'USD' }))
    const first = await w.pass()
    expect(first.settled).toHaveLength(1)
    expect(w.lines).toEqual([expect.objectContaining({ agent: 'bot', costDiem: 0.003, costUsd: 0.0005, completionId: 'chatcmpl-a', promptTokens: 100 })])
    expect(await w.inflight.load()).toEqual([])
    expect(await w.pass()).toEqual({ settled: [], dropped: [], pending: [] })
    expect(w.lines).toHaveLength(1)
  })

  it('a pass killed after writing its line only removes the marker the next time', async () => {
    const w = await world(T0 + 10_000)
    const m = await w.inflight.add({ kind: 'chat', model: 'default', estimateDiem: 0.001 })
    w.billing.push(row(T0 + 2_000, 0.003, { requestId: 'chatcmpl-a' }))
    w.lines.push(lineFor(m.id, 'chatcmpl-a'))
    const r = await w.pass()
    expect(r.dropped.map((d) => d.id)).toEqual([m.id])
    expect(w.lines).toHaveLength(1)
  })

  it('never takes a request the ledger already holds, another kind, or one before the marker; unbilled stays open, then is dropped', async () => {
    const young = await world(T0 + 60_000)
    await young.inflight.add({ kind: 'chat', model: 'default', estimateDiem: 0.001 })
    young.billing.push(
      row(T0 - 120_000, 0.01, { requestId: 'chatcmpl-earlier' }), // before the marker (beyond the clock skew)
      row(T0 + 1_000, 0.02, { requestId: 'chatcmpl-recorded' }), // recorded by its own call
      row(T0 + 1_500, 0.04, { sku: 'image-model-image' }), // an image, not a chat call
    )
    young.lines.push(lineFor('other', 'chatcmpl-recorded'))
    const r = await young.pass()
    expect(r.pending).toHaveLength(1)
    expect(young.lines).toHaveLength(1)

    const old = await world(T0 + INFLIGHT_MAX_MS + 1)
    await old.inflight.add({ kind: 'chat', model: 'default', estimateDiem: 0.001 })
    expect((await old.pass()).dropped).toHaveLength(1)
    expect(await old.inflight.load()).toEqual([])
  })

  it('an image marker takes the billed image (no request id), by time and SKU', async () => {
    const w = await world(T0 + 10_000)
    await w.inflight.add({ kind: 'image', model: 'default', estimateDiem: 0.04 })
    w.billing.push(row(T0 + 1_000, 0.002, { requestId: 'chatcmpl-x' }), row(T0 + 3_000, 0.04, { sku: 'image-model-image' }))
    w.lines.push(lineFor('caption', 'chatcmpl-x'))
    await w.pass()
    expect(w.lines.at(-1)).toMatchObject({ costDiem: 0.04, promptTokens: 0, completionTokens: 0 })
  })

  it('without billing (no ADMIN key) every marker stays open', async () => {
    const w = await world(T0 + 10_000)
    await w.inflight.add({ kind: 'chat', model: 'default', estimateDiem: 0.001 })
    const r = await reconcileInflight({
      agent: 'bot',
      inflight: w.inflight,
      readBilling: undefined,
      recorded: async () => [],
      record: async () => {},
      now: () => T0,
    })
    expect(r.pending).toHaveLength(1)
  })
})

function lineFor(markerId: string, completionId: string): LedgerEntry {
  return {
    ts: new Date(T0 + 2_000).toISOString(),
    agent: 'bot',
    key: undefined,
    model: 'default',
    promptTokens: 100,
    completionTokens: 20,
    costDiem: 0.003,
    costUsd: 0,
    balanceDiemBefore: undefined,
    balanceDiemAfter: undefined,
    balanceUsdBefore: undefined,
    balanceUsdAfter: undefined,
    requestId: `inflight:${markerId}`,
    completionId,
  }
}
