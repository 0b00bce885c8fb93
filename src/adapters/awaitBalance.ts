import { sleep } from '../util/sleep.js'

/** Options of `awaitBalanceAbove`. */
export type AwaitBalanceOptions = {
  /** Reads the balance Venice reports now (Diem + USD); `undefined` when the read said nothing. */
  read: () => Promise<number | undefined>
  /** Wait until the reported balance is above this (the balance the 402 reported). */
  above: number
  /** Give up after this long (ms). Default 20 s. */
  timeoutMs?: number | undefined
  /** First pause between reads (ms), doubled after each read up to `maxDelayMs`. Default 250. */
  firstDelayMs?: number | undefined
  /** Longest pause between reads (ms). Default 4000. */
  maxDelayMs?: number | undefined
  signal?: AbortSignal | undefined
  now?: (() => number) | undefined
}

/**
 * Waits, within a bound, until Venice reports a balance above `above`: a top-up lands on chain at once, but Venice
 * reads stakes with a delay (seconds), and a retry sent before it sees them gets a second 402. Reads at once, then
 * with exponential backoff. A failed read counts as "not yet".
 *
 * @returns true when the new balance was seen, false when the bound ran out (the caller retries anyway).
 *
 * @example
 * ```ts
 * const seen = await awaitBalanceAbove({ read: readBalance, above: 0.00001, timeoutMs: 20_000 })
 * ```
 */
export async function awaitBalanceAbove(o: AwaitBalanceOptions): Promise<boolean> {
  const now = o.now ?? Date.now
  const deadline = now() + (o.timeoutMs ?? 20_000)
  let delay = o.firstDelayMs ?? 250
  for (;;) {
    const balance = await o.read().catch(() => undefined)
    if (balance !== undefined && balance > o.above) return true
    const left = deadline - now()
    if (left <= 0 || o.signal?.aborted) return false
    await sleep(Math.min(delay, left), o.signal).catch(() => undefined)
    delay = Math.min(delay * 2, o.maxDelayMs ?? 4_000)
  }
}
