/**
 * Spend over a sliding time window in O(1) amortised time per event (issue #18 item 1).
 *
 * Hand-written rather than taken from a library: what is needed is a monotonic deque with a running
 * sum, twenty lines, and the answers must equal the exact re-sum of the window (the balance monitor's
 * previous method), which rules out the approximate sketches (decaying averages, coarse buckets)
 * libraries offer. Spends at the same millisecond share one slot, so memory is bounded by
 * min(events, window in ms); the running sum uses Neumaier's compensated summation so adding and
 * removing millions of small amounts does not drift, and it resets to exactly 0 when the window empties.
 */

/** A sliding-window spend counter, as returned by `createBurnWindow`. */
export type BurnWindow = {
  /** Records `amount` spent at `at` (ms). Amounts ≤ 0 are ignored. */
  add(at: number, amount: number): void
  /** Total spent in `[now - windowMs, now]`: entries older than the window are dropped first. */
  total(now: number): number
  /** When the oldest spend still in the window happened (call after `total(now)`); `undefined` when empty. */
  firstAt(): number | undefined
  /** Forgets every entry (e.g. at a new epoch). */
  clear(): void
  /** Slots held (for tests and memory checks). */
  readonly size: number
}

/**
 * A sliding window of spends. Entries are expected in time order (the monitor's clock); like the exact
 * method, eviction stops at the first entry still inside the window.
 *
 * @param windowMs - how far back spends count (e.g. 1 h).
 *
 * @example
 * ```ts
 * const w = createBurnWindow(3_600_000)
 * w.add(Date.now(), 0.002)
 * w.total(Date.now()) // 0.002
 * ```
 */
export function createBurnWindow(windowMs: number): BurnWindow {
  let times = new Float64Array(64)
  let amounts = new Float64Array(64)
  let head = 0
  let size = 0
  let sum = 0
  let comp = 0 // Neumaier compensation term

  const accumulate = (x: number) => {
    const t = sum + x
    comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum
    sum = t
  }
  const grow = () => {
    const cap = times.length
    const nt = new Float64Array(cap * 2)
    const na = new Float64Array(cap * 2)
    for (let i = 0; i < size; i++) {
      nt[i] = times[(head + i) % cap]!
      na[i] = amounts[(head + i) % cap]!
    }
    times = nt
    amounts = na
    head = 0
  }
  const evict = (now: number) => {
    const cutoff = now - windowMs
    const cap = times.length
    while (size > 0 && times[head]! < cutoff) {
      accumulate(-amounts[head]!)
      head = (head + 1) % cap
      size--
    }
    if (size === 0) sum = comp = 0
  }

  return {
    add(at, amount) {
      if (!(amount > 0)) return
      accumulate(amount)
      const last = (head + size - 1) % times.length
      if (size > 0 && times[last] === at) {
        amounts[last] = amounts[last]! + amount
        return
      }
      if (size === times.length) grow()
      const i = (head + size) % times.length
      times[i] = at
      amounts[i] = amount
      size++
    },
    total(now) {
      evict(now)
      return size === 0 ? 0 : Math.max(0, sum + comp)
    },
    firstAt() {
      return size === 0 ? undefined : times[head]
    },
    clear() {
      head = size = 0
      sum = comp = 0
    },
    get size() {
      return size
    },
  }
}
