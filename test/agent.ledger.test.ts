import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLedger, summarize, type LedgerEntry } from '../src/agent/ledger.js'
import { ColumnarRing } from '../src/util/columnarRing.js'
import { canonicalIsoMs, isoOf } from '../src/util/isoTime.js'

const line = (i: number, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  ts: new Date(Date.UTC(2026, 10, 30) + i * 60_000).toISOString(),
  agent: i % 2 ? 'scout' : 'writer',
  key: i % 3 ? 'vk_ab…cd' : undefined,
  model: 'qwen3-4b',
  promptTokens: 10 + i,
  completionTokens: i,
  costDiem: i * 1e-6,
  costUsd: i === 2 ? 0.25 : 0,
  balanceDiemBefore: i % 4 ? 12.5 - i * 1e-6 : undefined,
  balanceDiemAfter: i % 4 ? 12.5 - (i + 1) * 1e-6 : undefined,
  balanceUsdBefore: i === 2 ? -0 : undefined,
  balanceUsdAfter: undefined,
  requestId: i % 5 ? `ray-${i}` : undefined,
  completionId: `chatcmpl-${i}`,
  ...over,
})

describe('the in-memory spend ledger (columns, bounded)', () => {
  it('gives back every line exactly as appended, keys in order and undefined fields kept, and the file gets the same JSON', async () => {
    const path = join(process.env.GONDOLA_DATA_DIR!, 'ledger.jsonl')
    const ledger = createLedger({ path })
    const lines = Array.from({ length: 150 }, (_, i) => line(i)) // past the first 64 slots: the columns grow
    for (const l of lines) void ledger.append(l)
    await ledger.flush()
    const kept = ledger.entries()
    expect(kept).toEqual(lines)
    expect(kept.map((e) => Object.keys(e))).toEqual(lines.map((l) => Object.keys(l)))
    expect(kept[3]!.key).toBeUndefined()
    expect('key' in kept[3]!).toBe(true)
    expect(Object.is(kept[2]!.balanceUsdBefore, -0)).toBe(true)
    expect(kept.map((e) => JSON.stringify(e)).join('\n') + '\n').toBe(await readFile(path, 'utf8'))
    // A caller changing the array it got does not change the ledger.
    kept.pop()
    expect(ledger.entries()).toHaveLength(150)
  })

  it('keeps only the newest keepInMemory lines; summary(since) sums what is kept from that time on', () => {
    const ledger = createLedger({ keepInMemory: 100 })
    for (let i = 0; i < 1_000; i++) void ledger.append(line(i))
    const kept = ledger.entries()
    expect(kept.map((e) => e.completionId)).toEqual(Array.from({ length: 100 }, (_, k) => `chatcmpl-${900 + k}`))
    const since = Date.parse(line(950).ts)
    const expected = summarize(kept.filter((e) => Date.parse(e.ts) >= since))
    expect(expected.calls).toBe(50)
    expect(ledger.summary(since)).toEqual(expected)
    expect(ledger.summary().calls).toBe(100)
    expect(ledger.summary().byAgent.scout!.calls).toBe(50)
    expect(ledger.summary().costDiem).toBeCloseTo(
      kept.reduce((s, e) => s + e.costDiem, 0),
      12,
    )
  })

  it('keepInMemory: 0 keeps nothing in memory and still writes the file', async () => {
    const path = join(process.env.GONDOLA_DATA_DIR!, 'only-file.jsonl')
    const ledger = createLedger({ path, keepInMemory: 0 })
    await ledger.append(line(1))
    expect(ledger.entries()).toEqual([])
    expect(ledger.summary().calls).toBe(0)
    expect(JSON.parse((await readFile(path, 'utf8')).trim())).toEqual(JSON.parse(JSON.stringify(line(1))))
  })

  it('one failed write loses only its own line: the lines after it are written, and flush reports the failure once', async () => {
    const written: string[] = []
    const sink = async (e: LedgerEntry) => {
      if (e.completionId === 'chatcmpl-2') throw new Error('database down')
      written.push(e.completionId!)
    }
    const ledger = createLedger({ sink })
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => ledger.append(line(i))))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(written).toEqual(['chatcmpl-1', 'chatcmpl-3', 'chatcmpl-4'])
    await expect(ledger.flush()).rejects.toThrow('database down')
    await ledger.append(line(5))
    await expect(ledger.flush()).resolves.toBeUndefined()
    expect(written).toEqual(['chatcmpl-1', 'chatcmpl-3', 'chatcmpl-4', 'chatcmpl-5'])
  })
})

describe('ColumnarRing isoTime columns', () => {
  it('read back every value unchanged: canonical ISO times, other strings, undefined', () => {
    type Row = { ts: string | undefined; n: number }
    const ring = new ColumnarRing<Row>(10, { ts: 'isoTime', n: 'number' })
    const values = ['2026-11-30T19:31:31.000Z', '2026-11-30T19:31:31Z', '2026-11-30', 'not a time', '', undefined, '+275760-09-13T00:00:00.000Z']
    values.forEach((ts, n) => ring.push({ ts, n }))
    expect(ring.toArray()).toEqual(values.map((ts, n) => ({ ts, n })))
  })

  it('keeps exactly the newest `capacity` records across chunk boundaries and wrap-around, at any capacity', () => {
    type Row = {
      ts: string | undefined
      n: number
      s: string | undefined
      u: string | undefined
      o: number | undefined
      v: string | undefined
      c: number | undefined
      h: string | undefined
    }
    // Counts of every shape (whole, -0, fraction, too big, negative, NaN, absent); shared strings past the 4,096-value table.
    const count = (i: number) => [i, -0, i + 0.5, 2 ** 32 - 1, 2 ** 32, -i, NaN, undefined, 2 ** 32 - 2][i % 9]
    const shared = (i: number) => (i % 5 === 0 ? undefined : i % 2 ? `model-${i % 3}` : `key-${i}`)
    // Unique strings of every shape: ASCII, empty, absent, accented, astral, a lone surrogate (kept on the side), one too long for the bytes.
    const unique = (i: number) =>
      [`chatcmpl-${i.toString(16)}`, '', undefined, `agent-é-${i}`, `🚀${i}`, `bad\uD800${i}`, 'x'.repeat(5_000) + i, i as unknown as string][i % 8]
    for (const capacity of [1, 63, 64, 100, 1024, 1025, 6000]) {
      const ring = new ColumnarRing<Row>(capacity, {
        ts: 'isoTime',
        n: 'number',
        s: 'string',
        u: 'uniqueString',
        o: 'optionalNumber',
        v: 'uniqueString',
        c: 'count',
        h: 'sharedString',
      })
      const all: Row[] = []
      for (let i = 0; i < capacity * 2 + 37; i++) {
        // Every 7th time is not canonical, so a slot's side value is later overwritten by a canonical one and back.
        const row = {
          ts: i % 7 ? new Date(1_700_000_000_000 + i).toISOString() : `odd ${i}`,
          n: i,
          s: i % 3 ? `s${i}` : undefined,
          u: unique(i),
          o: i % 2 ? i / 2 : undefined,
          v: unique(i + 3),
          c: count(i),
          h: shared(i),
        }
        ring.push(row)
        all.push(row)
        if (i === capacity - 1 || i === capacity || i % 997 === 0) expect(ring.toArray()).toEqual(all.slice(-capacity))
      }
      expect(ring.length).toBe(capacity)
      expect(ring.toArray()).toEqual(all.slice(-capacity))
    }
  })
})

describe("isoOf / canonicalIsoMs (the ledger's cached ISO times)", () => {
  it('agree with Date on every time, inside and outside the cached second, and refuse every non-canonical string', () => {
    const times = [
      0,
      -1,
      -1001,
      1,
      999,
      1000,
      Date.UTC(2026, 11, 1, 1, 45, 12, 345),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      Date.UTC(-1, 0, 1),
      -62_198_755_200_000,
    ]
    let seed = 7
    for (let i = 0; i < 2000; i++) times.push((seed = (seed * 48271) % 2147483647) * 1_000 + (i % 1000), Date.UTC(2026, 11, 1) + i * 7)
    for (const ms of times) {
      const iso = new Date(ms).toISOString()
      expect(isoOf(ms)).toBe(iso)
      expect(canonicalIsoMs(iso)).toBe(iso.length === 24 ? ms : Date.parse(iso) === ms ? ms : NaN)
    }
    // The cache now holds the last second; strings sharing its prefix but not canonical are refused.
    const base = Date.UTC(2026, 11, 1, 1, 45, 12, 0)
    const prefix = isoOf(base).slice(0, 20)
    for (const odd of [
      `${prefix}3a5Z`,
      `${prefix}345`,
      `${prefix}345z`,
      `${prefix}34Z`,
      `${prefix}3456Z`,
      `${prefix}-12Z`,
      '2026-12-01T01:45:12Z',
      '2026-12-01',
      '2026-02-30T00:00:00.000Z',
      '2026-12-01T24:00:00.000Z',
      'not a time',
      '',
    ])
      expect(canonicalIsoMs(odd), odd).toBeNaN()
    expect(canonicalIsoMs(`${prefix}007Z`)).toBe(base + 7)
    expect(() => isoOf(NaN)).toThrow(RangeError)
    for (const ms of [base + 7.9, -0.5, base - 1000.25]) expect(isoOf(ms)).toBe(new Date(ms).toISOString())
  })
})
