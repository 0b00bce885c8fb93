import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { ALICE, call, expectSpecResponse, useEmulator } from './helpers/useEmulator.js'
import { createVeniceClient, listAllBillingUsage } from '../src/venice/index.js'

// Fixed clock after /billing/usage's sunset. ALICE holds all sVVV: 0.00002 Diem per epoch, so a few
// chats are paid in Diem, one is split, the rest in USD.
const NOW = Date.UTC(2026, 10, 25, 12)
const BOB: Address = '0x0000000000000000000000000000000000000B0B'
const emulator = useEmulator({ clock: () => NOW, dailyPoolDiem: 0.00002, usdBalance: 1, stakes: { [ALICE]: { svvv: 10n ** 18n } } })

type Page = { data: { amount: number; currency: string; timestamp: string; inferenceDetails: { requestId: string } | null }[]; nextCursor: string | null }
const history = async (apiKey: string, query = '') => {
  const r = await call(emulator().baseURL, `/billing/usage-history${query}`, { apiKey })
  expectSpecResponse('/billing/usage-history', 'get', r.status, r.json)
  return r as { status: number; json: Page & { error?: string; details?: Record<string, { _errors: string[] }> }; headers: Headers }
}
const walk = async (apiKey: string, first: string): Promise<Page[]> => {
  const pages = [(await history(apiKey, first)).json]
  while (pages.at(-1)!.nextCursor) pages.push((await history(apiKey, `?cursor=${pages.at(-1)!.nextCursor}`)).json)
  return pages
}

describe('GET /billing/usage-history', () => {
  const ids: string[] = []
  let admin = ''
  let inference = ''

  it('walks the ledger by cursor in ascending order; totals match the balance and the request ids match the completions', async () => {
    admin = emulator().createKey(ALICE, { apiKeyType: 'ADMIN' }).apiKey
    inference = emulator().createKey(ALICE).apiKey
    const openai = new OpenAI({ apiKey: inference, baseURL: emulator().baseURL, maxRetries: 0 })
    for (let i = 0; i < 25; i++) {
      ids.push((await openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] })).id)
      emulator().advance(1_000)
    }
    const pages = await walk(admin, '?pageSize=10')
    const rows = pages.flatMap((p) => p.data)
    expect(pages.slice(0, -1).map((p) => p.data.length)).toEqual(Array(pages.length - 1).fill(10))
    expect(pages.at(-1)!.nextCursor).toBeNull()
    expect(rows.map((r) => r.timestamp)).toEqual(rows.map((r) => r.timestamp).sort())
    expect([...new Set(rows.map((r) => r.inferenceDetails!.requestId))]).toEqual(ids)
    expect(new Set(rows.map((r) => r.currency))).toEqual(new Set(['DIEM', 'USD']))
    expect((await history(admin)).json).toEqual({ data: rows, nextCursor: null })

    const bal = await call(emulator().baseURL, '/billing/balance', { apiKey: admin })
    expectSpecResponse('/billing/balance', 'get', 200, bal.json)
    const spent = (c: string) => rows.filter((r) => r.currency === c).reduce((s, r) => s - r.amount, 0)
    expect(spent('DIEM')).toBeCloseTo(bal.json.diemEpochAllocation - bal.json.balances.diem, 8)
    expect(spent('USD')).toBeCloseTo(1 - bal.json.balances.usd, 8)

    const viaClient = await listAllBillingUsage(createVeniceClient({ baseURL: emulator().baseURL, apiKey: admin, maxRetries: 0 }), { pageSize: 10 })
    expect(viaClient).toEqual(rows)
    expect((await call(emulator().baseURL, '/billing/usage', { apiKey: admin })).status).toBe(410)
  })

  it('filters by currency and by [startTimestamp, endTimestamp) windows that tile the history', async () => {
    const all = (await history(admin)).json.data
    const usd = (await history(admin, '?currency=USD')).json.data
    expect(usd).toEqual(all.filter((r) => r.currency === 'USD'))
    const cut = new Date(NOW + 10_000).toISOString()
    const before = (await walk(admin, `?pageSize=10&endTimestamp=${cut}`)).flatMap((p) => p.data)
    const after = (await walk(admin, `?pageSize=10&startTimestamp=${cut}`)).flatMap((p) => p.data)
    expect(before.every((r) => r.timestamp < cut) && after.every((r) => r.timestamp >= cut)).toBe(true)
    expect(after.some((r) => r.timestamp === cut)).toBe(true)
    expect([...before, ...after]).toEqual(all)
  })

  it('keeps pages stable while new usage is recorded: the walk resumes after the last row and sees the new one at the end', async () => {
    const first = (await history(admin, '?pageSize=10')).json
    const total = (await history(admin)).json.data.length
    const openai = new OpenAI({ apiKey: inference, baseURL: emulator().baseURL, maxRetries: 0 })
    const late = await openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'late' }] })
    const rest = [(await history(admin, `?cursor=${first.nextCursor}`)).json]
    while (rest.at(-1)!.nextCursor) rest.push((await history(admin, `?cursor=${rest.at(-1)!.nextCursor}`)).json)
    const rows = [...first.data, ...rest.flatMap((p) => p.data)]
    expect(rows).toHaveLength(total + 1)
    expect(rows.at(-1)!.inferenceDetails!.requestId).toBe(late.id)
  })

  it('rejects bad parameters, cursors sent with filters, and tampered, foreign or expired cursors with 400', async () => {
    const bad = async (query: string, field: string) => {
      const r = await history(admin, query)
      expect(r.status).toBe(400)
      expect(r.json.error).toBe('Invalid request parameters')
      expect(r.json.details?.[field]?._errors.length, `${query} → details.${field}`).toBeGreaterThan(0)
    }
    await bad('?pageSize=5', 'pageSize')
    await bad('?pageSize=1001', 'pageSize')
    await bad('?currency=EUR', 'currency')
    await bad('?startTimestamp=yesterday', 'startTimestamp')
    await bad('?startTimestamp=2026-11-25T12:00:00%2B01:00', 'startTimestamp')
    await bad('?startTimestamp=2026-11-25T12:00:00Z&endTimestamp=2026-11-25T12:00:00Z', 'endTimestamp')
    await bad('?cursor=not*a*cursor', 'cursor')
    const { nextCursor } = (await history(admin, '?pageSize=10')).json
    expect(nextCursor).toMatch(/^[A-Za-z0-9_-]{1,512}$/)
    await bad(`?cursor=${nextCursor}&pageSize=10`, 'pageSize')
    await bad(`?cursor=${nextCursor}&currency=USD`, 'currency')
    await bad(`?cursor=${nextCursor!.slice(0, 5)}${nextCursor![5] === 'A' ? 'B' : 'A'}${nextCursor!.slice(6)}`, 'cursor')
    const bob = emulator().createKey(BOB, { apiKeyType: 'ADMIN' }).apiKey
    expect((await history(bob)).json).toEqual({ data: [], nextCursor: null })
    expect((await history(admin, `?cursor=${nextCursor}`)).status).toBe(200)
    const foreign = await history(bob, `?cursor=${nextCursor}`)
    expect([foreign.status, foreign.json.details?.cursor?._errors[0]]).toEqual([400, expect.stringContaining('foreign')])
    emulator().advance(25 * 3_600_000)
    try {
      const expired = await history(admin, `?cursor=${nextCursor}`)
      expect([expired.status, expired.json.details?.cursor?._errors[0]]).toEqual([400, expect.stringContaining('expired')])
    } finally {
      emulator().advance(-25 * 3_600_000)
    }
    const denied = await history(inference)
    expect(denied.status).toBe(401)
  })

  it('exports a page as CSV with a stamped filename and the next cursor in a header', async () => {
    const res = await fetch(`${emulator().baseURL}/billing/usage-history?pageSize=10`, { headers: { authorization: `Bearer ${admin}`, accept: 'text/csv' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=billing-usage-history-\d{8}T\d{9}Z\.csv$/)
    const lines = (await res.text()).trim().split('\n')
    expect(lines[0]).toBe('timestamp,sku,notes,currency,amount,units,pricePerUnitUsd,promptTokens,completionTokens,inferenceExecutionTime,requestId')
    expect(lines).toHaveLength(11)
    const json = (await history(admin, '?pageSize=10')).json
    const r0 = json.data[0]! as Page['data'][number] & { inferenceDetails: { promptTokens: number; completionTokens: number } }
    expect(lines[1]).toBe(
      `${r0.timestamp},qwen3-4b-chat,API Inference,${r0.currency},${r0.amount},1,${-r0.amount},${r0.inferenceDetails.promptTokens},${r0.inferenceDetails.completionTokens},,${ids[0]}`,
    )
    const next = res.headers.get('x-next-cursor')
    expect(next).toMatch(/^[A-Za-z0-9_-]+$/)
    expect((await history(admin, `?cursor=${next}`)).json.data[0]).toEqual((await history(admin, `?cursor=${json.nextCursor}`)).json.data[0])
  })
})
