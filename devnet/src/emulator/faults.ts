/**
 * Fault injection for reliability tests: added latency, probabilities of 429 / 500 / 503 and of a
 * dropped connection, drawn from a seeded PRNG so a test sees the same sequence every run.
 */

/** Fault knobs. Probabilities are 0..1 and are tried in the order drop, 429, 500, 503. */
import { seededRandom } from 'gondola/util'

export type FaultOptions = {
  /** Added latency in ms before answering. */
  latencyMs?: number
  /** Probability of closing the socket without a response. */
  dropRate?: number
  rate429?: number
  rate500?: number
  rate503?: number
  /** PRNG seed (default 1). Setting faults re-seeds. */
  seed?: number
  /** Which routes faults apply to: inference routes only (default) or every route. */
  scope?: 'inference' | 'all'
}

export type FaultDecision = { kind: 'none' | 'drop' | 429 | 500 | 503; latencyMs: number }

export { seededRandom }

export type FaultController = ReturnType<typeof createFaults>

/**
 * @example
 * ```ts
 * const faults = createFaults({ rate503: 0.5, seed: 7 })
 * faults.decide('inference') // { kind: 503 | 'none', latencyMs: 0 }
 * ```
 */
export function createFaults(initial: FaultOptions = {}) {
  let opts: FaultOptions = initial
  let rand = seededRandom(initial.seed ?? 1)
  return {
    get: (): FaultOptions => ({ ...opts }),
    set(next: FaultOptions) {
      opts = next
      rand = seededRandom(next.seed ?? 1)
    },
    decide(route: 'inference' | 'other'): FaultDecision {
      const scoped = route === 'inference' || opts.scope === 'all'
      const latencyMs = scoped ? (opts.latencyMs ?? 0) : 0
      if (!scoped) return { kind: 'none', latencyMs }
      const draws: Array<[FaultDecision['kind'], number | undefined]> = [
        ['drop', opts.dropRate],
        [429, opts.rate429],
        [500, opts.rate500],
        [503, opts.rate503],
      ]
      for (const [kind, p] of draws) if (p && rand() < p) return { kind, latencyMs }
      return { kind: 'none', latencyMs }
    },
  }
}
