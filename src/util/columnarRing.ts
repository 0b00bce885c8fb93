/**
 * A bounded log of flat records (the newest `capacity`), kept in columns instead of one object per
 * record: numbers in one `Float64Array`, strings in one array. Pushing past the capacity overwrites
 * the oldest record in O(1).
 *
 * Hand-written because no maintained npm ring buffer stores records by column, and that is the point:
 * the emulator's billing list (10,000 records per user) and an agent host's in-memory spend ledger
 * (100,000 lines) kept as objects lived in the old generation, where they cost garbage-collector time
 * on every request and about twice the heap (issue #18). Records are rebuilt on read, oldest first,
 * with the keys in the order the spec lists them.
 *
 * Column kinds:
 * - `number`: every double as pushed (-0 included);
 * - `optionalNumber`: stores `undefined` as NaN and reads NaN back as `undefined`;
 * - `string`: any string or `undefined`;
 * - `isoTime`: an ISO 8601 string as `Date#toISOString()` writes it, kept as its epoch ms (8 bytes instead
 *   of a 40-byte string); any other string is kept as it is, so every value reads back unchanged.
 */

type Kind = 'number' | 'optionalNumber' | 'string' | 'isoTime'

/** The columns of a record type, in the key order records are rebuilt with. */
export type ColumnSpec<T> = { readonly [K in keyof T]-?: Kind }

export class ColumnarRing<T extends object> implements Iterable<T> {
  readonly #keys: (keyof T)[]
  // Per key: its column (numbers and strings are numbered separately), and whether it is a number column.
  readonly #column: number[]
  readonly #isNumber: boolean[]
  readonly #optional: boolean[]
  // For `isoTime` keys: the string column holding a value that is not a canonical ISO time (else -1).
  readonly #fallback: number[]
  readonly #nums: number
  readonly #strs: number
  #numbers = new Float64Array(0)
  #strings: (string | undefined)[] = []
  // Slots allocated so far: grows by doubling up to `capacity` (nothing allocated up front), then wraps.
  #slots = 0
  #head = 0
  #size = 0

  /**
   * @example
   * ```ts
   * type Line = { at: number; agent: string; costDiem: number; balance: number | undefined }
   * const log = new ColumnarRing<Line>(10_000, { at: 'number', agent: 'string', costDiem: 'number', balance: 'optionalNumber' })
   * log.push({ at: Date.now(), agent: 'bot', costDiem: 0.002, balance: undefined })
   * log.length // 1
   * ;[...log][0].agent // 'bot'
   * ```
   */
  constructor(readonly capacity: number, spec: ColumnSpec<T>) {
    if (!(capacity >= 1)) throw new RangeError(`A ColumnarRing's capacity must be at least 1 (got ${capacity})`)
    this.#keys = Object.keys(spec) as (keyof T)[]
    let nums = 0
    let strs = 0
    this.#column = []
    this.#isNumber = []
    this.#optional = []
    this.#fallback = []
    for (const k of this.#keys) {
      const kind = spec[k]
      const isNumber = kind !== 'string'
      this.#isNumber.push(isNumber)
      this.#optional.push(kind === 'optionalNumber')
      this.#column.push(isNumber ? nums++ : strs++)
      this.#fallback.push(kind === 'isoTime' ? strs++ : -1)
    }
    this.#nums = nums
    this.#strs = strs
  }

  get length(): number {
    return this.#size
  }

  /** Appends a record, overwriting the oldest one when the log is full. */
  push(record: T): void {
    let i: number
    if (this.#size < this.capacity) {
      if (this.#size === this.#slots) this.#grow()
      i = (this.#head + this.#size) % this.#slots
      this.#size++
    } else {
      i = this.#head
      this.#head = (this.#head + 1) % this.#slots
    }
    const n = i * this.#nums
    const s = i * this.#strs
    for (let f = 0; f < this.#keys.length; f++) {
      const v = record[this.#keys[f]!] as unknown
      const fallback = this.#fallback[f]!
      if (fallback >= 0) {
        const ms = typeof v === 'string' ? Date.parse(v) : NaN
        const canonical = ms === ms && new Date(ms).toISOString() === v
        this.#numbers[n + this.#column[f]!] = canonical ? ms : NaN
        this.#strings[s + fallback] = canonical ? undefined : (v as string | undefined)
      } else if (this.#isNumber[f]) this.#numbers[n + this.#column[f]!] = v === undefined ? NaN : (v as number)
      else this.#strings[s + this.#column[f]!] = v as string | undefined
    }
  }

  /** The records, oldest first, as a new array. */
  toArray(): T[] {
    return [...this]
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let k = 0; k < this.#size; k++) yield this.#at((this.#head + k) % this.#slots)
  }

  #at(i: number): T {
    const n = i * this.#nums
    const s = i * this.#strs
    const out: Record<PropertyKey, unknown> = {}
    for (let f = 0; f < this.#keys.length; f++) {
      const fallback = this.#fallback[f]!
      if (fallback >= 0) {
        const ms = this.#numbers[n + this.#column[f]!]!
        out[this.#keys[f] as PropertyKey] = ms === ms ? new Date(ms).toISOString() : this.#strings[s + fallback]
      } else if (this.#isNumber[f]) {
        const v = this.#numbers[n + this.#column[f]!]!
        out[this.#keys[f] as PropertyKey] = this.#optional[f] && Number.isNaN(v) ? undefined : v
      } else out[this.#keys[f] as PropertyKey] = this.#strings[s + this.#column[f]!]
    }
    return out as T
  }

  #grow(): void {
    const slots = Math.min(this.capacity, Math.max(64, this.#slots * 2))
    const numbers = new Float64Array(slots * this.#nums)
    const strings = new Array<string | undefined>(slots * this.#strs)
    for (let k = 0; k < this.#size; k++) {
      const from = (this.#head + k) % this.#slots
      numbers.set(this.#numbers.subarray(from * this.#nums, (from + 1) * this.#nums), k * this.#nums)
      for (let j = 0; j < this.#strs; j++) strings[k * this.#strs + j] = this.#strings[from * this.#strs + j]
    }
    this.#numbers = numbers
    this.#strings = strings
    this.#slots = slots
    this.#head = 0
  }
}
