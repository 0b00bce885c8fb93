/**
 * `gondola/util`: the low-level helpers the devnet package (`@gondola/devnet`) shares with the runtime rather
 * than writing them twice: the atomic file write, the seeded PRNG and the columnar ring buffer.
 *
 * @example
 * ```ts
 * import { atomicWrite, seededRandom } from 'gondola/util'
 * await atomicWrite('/tmp/state.json', JSON.stringify({ seed: seededRandom(7)() }))
 * ```
 */
export { atomicWrite } from './atomicWrite.js'
export { seededRandom } from './seededRandom.js'
export { ColumnarRing, type ColumnSpec } from './columnarRing.js'
