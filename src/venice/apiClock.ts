/**
 * The API's clock, as its responses tell it (the HTTP `Date` header). Venice enforces its key-creation limit
 * (20 a minute) on its own clock, so pacing key creations on it — not on this machine's — waits exactly as
 * long as needed even when the clocks disagree (skew, or the emulator's adjustable clock in tests).
 */
import { sleep as sleepMs } from '../util/sleep.js'

export type ApiClock = {
  /** A `fetch` that notes the server time of every response. */
  fetch: typeof fetch
  /** The API's current time in ms (this machine's clock plus the last observed offset). */
  now: () => number
  /** Waits until the API's clock has moved on by `ms`, re-reading it every few seconds. */
  sleep: (ms: number) => Promise<void>
}

/**
 * @param o.baseURL - the API base URL (`GET <baseURL>/models` re-reads the server time while waiting).
 * @param o.pollMs - how often a wait re-reads the server time (default 5 s).
 *
 * @example
 * ```ts
 * const clock = createApiClock({ baseURL })
 * await provision({ wallet, baseURL, store, agents, stakeSvvv, fetch: clock.fetch, now: clock.now, sleep: clock.sleep })
 * ```
 */
export function createApiClock(o: { baseURL: string; fetch?: typeof fetch | undefined; pollMs?: number | undefined }): ApiClock {
  const inner = o.fetch ?? globalThis.fetch
  const pollMs = o.pollMs ?? 5_000
  let offset = 0
  const observe = (res: Response) => {
    const date = Date.parse(res.headers.get('date') ?? '')
    // Date has 1 s resolution: keep the local sub-second part when the server agrees to the second.
    if (Number.isFinite(date) && Math.abs(date - Date.now() - offset) >= 1000) offset = date - Date.now()
    return res
  }
  const clockedFetch: typeof fetch = async (input, init) => observe(await inner(input, init))
  const now = () => Date.now() + offset
  const sleep = async (ms: number) => {
    const until = now() + ms
    while (now() < until) {
      await sleepMs(Math.max(1, Math.min(pollMs, until - now())))
      try {
        await clockedFetch(`${o.baseURL.replace(/\/$/, '')}/models`, { method: 'GET' })
      } catch {
        // unreachable for a moment: keep waiting on the local clock
      }
    }
  }
  return { fetch: clockedFetch, now, sleep }
}
