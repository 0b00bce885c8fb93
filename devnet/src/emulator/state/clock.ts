/**
 * The emulator's settable clock (ms since the Unix epoch). JWT expiry, epochs, limit periods and
 * rate-limit windows all read it, so tests move time instead of waiting.
 */
export type EmulatorClock = {
  now(): number
  /** Jumps to an absolute time (ms). */
  set(ms: number): void
  /** Moves forward (or back) by `ms`. */
  advance(ms: number): void
}

/**
 * @param base - the underlying time source (default `Date.now`); the clock adds an offset to it.
 * @example
 * ```ts
 * const clock = createClock(() => Date.UTC(2026, 0, 1))
 * clock.advance(15 * 60_000)
 * ```
 */
export function createClock(base: () => number = Date.now): EmulatorClock {
  let offset = 0
  return {
    now: () => base() + offset,
    set: (ms) => {
      offset = ms - base()
    },
    advance: (ms) => {
      offset += ms
    },
  }
}

/** Start (ms) of the epoch containing `now`. Epochs are aligned to the Unix epoch, so a 1-day epoch starts at 00:00 UTC. */
export function epochStart(now: number, epochMs: number): number {
  return Math.floor(now / epochMs) * epochMs
}

/** Start (ms) of the window a key's consumption limit is measured in. */
export function periodStart(period: 'EPOCH' | 'MONTH' | 'LIFETIME', now: number, epochMs: number): number {
  if (period === 'LIFETIME') return 0
  if (period === 'MONTH') {
    const d = new Date(now)
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  }
  return epochStart(now, epochMs)
}
