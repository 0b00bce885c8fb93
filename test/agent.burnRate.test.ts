import { seededRandom } from '../src/util/seededRandom.js'
import { describe, expect, it } from 'vitest'
import { createBalanceMonitor } from '../src/agent/balanceMonitor.js'
import { createBurnWindow } from '../src/agent/burnRate.js'

/** A seeded PRNG so a failing stream can be replayed from its seed. */
const rng = seededRandom

/** The method the monitor used before: keep every spend, drop the expired ones, re-sum the rest. */
function exactWindow(windowMs: number) {
  const spends: { at: number; amount: number }[] = []
  return {
    add: (at: number, amount: number) => void (amount > 0 && spends.push({ at, amount })),
    total(now: number) {
      while (spends.length && spends[0]!.at < now - windowMs) spends.shift()
      return spends.reduce((s, x) => s + x.amount, 0)
    },
    clear: () => void (spends.length = 0),
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

describe('burn window (O(1) per event)', () => {
  it('equals the exact re-sum over randomized event streams', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed)
      const windowMs = [1_000, 60_000, 3_600_000][seed % 3]!
      const fast = createBurnWindow(windowMs)
      const exact = exactWindow(windowMs)
      let t = 1_700_000_000_000
      for (let i = 0; i < 5_000; i++) {
        // Bursts at the same millisecond, small steps, and gaps longer than the window.
        const u = r()
        t += u < 0.3 ? 0 : u < 0.9 ? Math.floor(r() * windowMs * 0.01) : Math.floor(r() * windowMs * 2)
        const amount = r() < 0.05 ? 0 : r() < 0.5 ? r() * 1e-6 : r() * 10
        fast.add(t, amount)
        exact.add(t, amount)
        if (r() < 0.001) {
          fast.clear()
          exact.clear()
        }
        const probe = t + Math.floor(r() * windowMs * 0.2)
        const want = exact.total(probe)
        const got = fast.total(probe)
        if (!close(got, want)) throw new Error(`seed ${seed} step ${i}: ${got} ≠ ${want}`)
      }
    }
  })

  it('merges spends of the same millisecond into one slot and none once the window has passed', () => {
    const w = createBurnWindow(1_000)
    for (let i = 0; i < 10_000; i++) w.add(5_000 + Math.floor(i / 1_000), 0.001)
    expect(w.size).toBe(10)
    expect(w.total(5_009)).toBeCloseTo(10, 9)
    expect(w.total(7_000)).toBe(0)
    expect(w.size).toBe(0)
  })

  it('does not drift after a million adds and evictions of tiny amounts', () => {
    const w = createBurnWindow(10)
    let t = 0
    for (let i = 0; i < 1_000_000; i++) w.add((t += 1), 1e-7 * ((i % 7) + 1))
    // Exactly the last 11 ms (t-10 … t) remain.
    let want = 0
    for (let i = 1_000_000 - 11; i < 1_000_000; i++) want += 1e-7 * ((i % 7) + 1)
    expect(close(w.total(t), want)).toBe(true)
  })
})

describe('balance monitor burn rate', () => {
  it('reports the same burnPerHour and runway as the exact sum over a randomized stream', () => {
    const r = rng(7)
    let t = 1_800_000_000_000
    const windowMs = 3_600_000
    const monitor = createBalanceMonitor({ now: () => t, lowRunwayHours: 0, criticalRunwayHours: 0, burnWindowMs: windowMs })
    monitor.setKeyLimitRemaining(1e9)
    const spendTimes: number[] = []
    const exact = exactWindow(windowMs)
    let remaining = 1e9
    for (let i = 0; i < 20_000; i++) {
      t += Math.floor(r() * 1_000)
      const amount = r() * 0.01
      monitor.recordSpend(amount)
      if (amount > 0) spendTimes.push(t)
      exact.add(t, amount)
      remaining -= amount
      const s = monitor.snapshot()
      // The status model's burn: spend in the window over the span since its first spend in it (at least 1 h).
      const first = spendTimes.find((at) => at >= t - windowMs)!
      const burn = (exact.total(t) / Math.max(t - first, 3_600_000)) * 3_600_000
      if (!close(s.burnPerHour, burn)) throw new Error(`step ${i}: burn ${s.burnPerHour} ≠ ${burn}`)
      if (!close(s.runwayHours, remaining / burn)) throw new Error(`step ${i}: runway ${s.runwayHours} ≠ ${remaining / burn}`)
    }
    // After an hour of silence nothing is being burnt.
    t += windowMs + 1
    expect(monitor.snapshot().burnPerHour).toBe(0)
    expect(monitor.snapshot().runwayHours).toBe(Infinity)
  })
})
