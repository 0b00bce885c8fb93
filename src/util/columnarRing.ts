/**
 * A bounded log of flat records (the newest `capacity`), kept in columns instead of one object per
 * record: numbers in `Float64Array`s, strings in plain arrays, both in chunks of 1,024 records (the first
 * chunk grows by doubling from 64). Growing adds a chunk and copies nothing, and at most one chunk is
 * allocated ahead of use. Pushing past the capacity overwrites the oldest record in O(1).
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
 *   of a 40-byte string); any other string (rare) is kept as it is on the side, so every value reads back unchanged.
 */

type Kind = 'number' | 'optionalNumber' | 'string' | 'isoTime'

/** The columns of a record type, in the key order records are rebuilt with. */
export type ColumnSpec<T> = { readonly [K in keyof T]-?: Kind }

export class ColumnarRing<T extends object> implements Iterable<T> {
  readonly #keys: (keyof T)[]
  // Per key: its column (numbers and strings are numbered separately), and what kind it is.
  readonly #column: number[]
  readonly #isNumber: boolean[]
  readonly #optional: boolean[]
  readonly #isoTime: boolean[]
  readonly #nums: number
  readonly #strs: number
  // Chunk c holds records c * CHUNK … c * CHUNK + CHUNK - 1: `#numbers[c]` their numbers, `#strings[c]` their strings.
  readonly #numbers: Float64Array[] = []
  readonly #strings: (string | undefined)[][] = []
  // `isoTime` values that are not a canonical ISO time, by `slot * keys + key index` (NaN in the number column marks one).
  readonly #oddTimes = new Map<number, string | undefined>()
  // Slots allocated so far (never more than `capacity`). Until the log is full the oldest record is slot 0.
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
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`A ColumnarRing's capacity must be a whole number, at least 1 (got ${capacity})`)
    this.#keys = Object.keys(spec) as (keyof T)[]
    let nums = 0
    let strs = 0
    this.#column = []
    this.#isNumber = []
    this.#optional = []
    this.#isoTime = []
    for (const k of this.#keys) {
      const kind = spec[k]
      const isNumber = kind !== 'string'
      this.#isNumber.push(isNumber)
      this.#optional.push(kind === 'optionalNumber')
      this.#isoTime.push(kind === 'isoTime')
      this.#column.push(isNumber ? nums++ : strs++)
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
      i = this.#size++
    } else {
      i = this.#head
      this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1
    }
    const numbers = this.#numbers[i >>> CHUNK_BITS]!
    const strings = this.#strings[i >>> CHUNK_BITS]!
    const n = (i & CHUNK_MASK) * this.#nums
    const s = (i & CHUNK_MASK) * this.#strs
    for (let f = 0; f < this.#keys.length; f++) {
      const v = record[this.#keys[f]!] as unknown
      if (this.#isoTime[f]) {
        const ms = typeof v === 'string' ? Date.parse(v) : NaN
        const canonical = ms === ms && new Date(ms).toISOString() === v
        numbers[n + this.#column[f]!] = canonical ? ms : NaN
        if (!canonical) this.#oddTimes.set(i * this.#keys.length + f, v as string | undefined)
        else if (this.#oddTimes.size) this.#oddTimes.delete(i * this.#keys.length + f)
      } else if (this.#isNumber[f]) numbers[n + this.#column[f]!] = v === undefined ? NaN : (v as number)
      else strings[s + this.#column[f]!] = v as string | undefined
    }
  }

  /** The records, oldest first, as a new array. */
  toArray(): T[] {
    return [...this]
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let k = 0, i = this.#head; k < this.#size; k++, i = i + 1 === this.capacity ? 0 : i + 1) yield this.#at(i)
  }

  #at(i: number): T {
    const numbers = this.#numbers[i >>> CHUNK_BITS]!
    const strings = this.#strings[i >>> CHUNK_BITS]!
    const n = (i & CHUNK_MASK) * this.#nums
    const s = (i & CHUNK_MASK) * this.#strs
    const out: Record<PropertyKey, unknown> = {}
    for (let f = 0; f < this.#keys.length; f++) {
      const key = this.#keys[f] as PropertyKey
      if (this.#isoTime[f]) {
        const ms = numbers[n + this.#column[f]!]!
        out[key] = ms === ms ? new Date(ms).toISOString() : this.#oddTimes.get(i * this.#keys.length + f)
      } else if (this.#isNumber[f]) {
        const v = numbers[n + this.#column[f]!]!
        out[key] = this.#optional[f] && Number.isNaN(v) ? undefined : v
      } else out[key] = strings[s + this.#column[f]!]
    }
    return out as T
  }

  /** Makes room for one more record: doubles the first chunk (from 64) up to a full chunk, then adds chunks. */
  #grow(): void {
    if (this.#numbers.length === 1 && this.#slots < CHUNK) {
      const slots = Math.min(this.capacity, this.#slots * 2, CHUNK)
      const numbers = new Float64Array(slots * this.#nums)
      numbers.set(this.#numbers[0]!)
      this.#numbers[0] = numbers
      this.#strings[0]!.length = slots * this.#strs
      this.#slots = slots
      return
    }
    const slots = this.#numbers.length === 0 ? Math.min(this.capacity, 64) : Math.min(CHUNK, this.capacity - this.#slots)
    this.#numbers.push(new Float64Array(slots * this.#nums))
    this.#strings.push(new Array<string | undefined>(slots * this.#strs))
    this.#slots += slots
  }
}

const CHUNK_BITS = 10
const CHUNK = 1 << CHUNK_BITS
const CHUNK_MASK = CHUNK - 1
