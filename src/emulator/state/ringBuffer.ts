/**
 * A fixed-capacity FIFO that overwrites its oldest entry when full: O(1) push, iteration oldest first.
 * Hand-written (a dozen lines) because the emulator's usage list only needs push + ordered iteration,
 * and `Array#splice(0, …)` at the cap moved 10,000 entries on every charged request (issue #18 item 6).
 */
export class RingBuffer<T> implements Iterable<T> {
  // Grows like an array up to `capacity` (no up-front allocation per user), then wraps.
  readonly #items: T[] = []
  #head = 0
  #size = 0

  /**
   * @example
   * ```ts
   * const r = new RingBuffer<number>(2)
   * r.push(1); r.push(2); r.push(3)
   * ;[...r] // [2, 3]
   * ```
   */
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('RingBuffer capacity must be at least 1')
  }

  /** Entries held (≤ capacity). */
  get length(): number {
    return this.#size
  }

  /** Appends `item`, dropping the oldest entry when full. */
  push(item: T): void {
    if (this.#size < this.capacity) {
      this.#items.push(item)
      this.#size++
      return
    }
    this.#items[this.#head] = item
    this.#head = (this.#head + 1) % this.capacity
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#items[(this.#head + i) % this.capacity]!
  }
}
