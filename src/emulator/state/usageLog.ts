/**
 * A user's billing records (the last `capacity` charged requests), kept in columns instead of one object
 * per request: numbers in one `Float64Array`, strings in one array. Hand-written because the emulator
 * charges every request and its list holds up to 10,000 records per user: as objects they all lived in the
 * old generation and cost more garbage-collector time per request than the rest of the billing code
 * (issue #18 goal 2). Routes read it by iteration, which builds the record objects on demand, oldest first.
 */
import type { UsageEntry } from './accounts.js'

const NUMS = 6 // seq, at, promptTokens, completionTokens, usd, diem
const STRS = 4 // model, kind, requestId, keyId

export class UsageLog implements Iterable<UsageEntry> {
  #nums = new Float64Array(0)
  #strs: string[] = []
  // Slots allocated so far: grows by doubling up to `capacity` (no up-front allocation per user), then wraps.
  #slots = 0
  #head = 0
  #size = 0

  /**
   * @example
   * ```ts
   * const log = new UsageLog(10_000)
   * log.push({ model: 'qwen3-4b', promptTokens: 9, completionTokens: 3, kind: 'chat', requestId: 'chatcmpl-1', seq: 1, at: Date.now(), keyId: 'k1', usd: 0, diem: 0.000002 })
   * ;[...log][0].requestId // 'chatcmpl-1'
   * ```
   */
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('UsageLog capacity must be at least 1')
  }

  get length(): number {
    return this.#size
  }

  push(e: UsageEntry): void {
    let i: number
    if (this.#size < this.capacity) {
      if (this.#size === this.#slots) this.#grow()
      i = (this.#head + this.#size) % this.#slots
      this.#size++
    } else {
      i = this.#head
      this.#head = (this.#head + 1) % this.#slots
    }
    const n = i * NUMS
    const nums = this.#nums
    nums[n] = e.seq
    nums[n + 1] = e.at
    nums[n + 2] = e.promptTokens
    nums[n + 3] = e.completionTokens
    nums[n + 4] = e.usd
    nums[n + 5] = e.diem
    const s = i * STRS
    this.#strs[s] = e.model
    this.#strs[s + 1] = e.kind
    this.#strs[s + 2] = e.requestId
    this.#strs[s + 3] = e.keyId
  }

  *[Symbol.iterator](): Iterator<UsageEntry> {
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#head + k) % this.#slots
      const n = i * NUMS
      const s = i * STRS
      const nums = this.#nums
      // The key order the object-per-record list had (the charge's line, then the bookkeeping fields).
      yield {
        model: this.#strs[s]!,
        promptTokens: nums[n + 2]!,
        completionTokens: nums[n + 3]!,
        kind: this.#strs[s + 1]!,
        requestId: this.#strs[s + 2]!,
        seq: nums[n]!,
        at: nums[n + 1]!,
        keyId: this.#strs[s + 3]!,
        usd: nums[n + 4]!,
        diem: nums[n + 5]!,
      }
    }
  }

  #grow(): void {
    const slots = Math.min(this.capacity, Math.max(64, this.#slots * 2))
    const nums = new Float64Array(slots * NUMS)
    const strs = new Array<string>(slots * STRS)
    for (let k = 0; k < this.#size; k++) {
      const from = (this.#head + k) % this.#slots
      nums.set(this.#nums.subarray(from * NUMS, from * NUMS + NUMS), k * NUMS)
      for (let j = 0; j < STRS; j++) strs[k * STRS + j] = this.#strs[from * STRS + j]!
    }
    this.#nums = nums
    this.#strs = strs
    this.#slots = slots
    this.#head = 0
  }
}
