/**
 * mulberry32: a tiny seeded PRNG returning floats in [0, 1). Hand-written: eight lines, for reproducible fault
 * sequences, prompt samples and test streams — a dependency for it would be heavier than the function.
 *
 * @example
 * ```ts
 * const rand = seededRandom(42); rand() // always the same first value for seed 42
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
