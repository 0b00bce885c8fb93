/**
 * A bounded log of flat records (the newest `capacity`), kept in columns instead of one object per
 * record: numbers in `Float64Array`s, shared strings in plain arrays, strings unique to a record as bytes
 * in one buffer per chunk. Records live in chunks of up to 1,024 (the first grows by doubling from 64);
 * chunks are only ever appended to, and the oldest chunk is dropped once every record in it is older than
 * the newest `capacity`. So a push is O(1), nothing is copied when the log grows, and at most one chunk
 * beyond `capacity` is held.
 *
 * Hand-written because no maintained npm ring buffer stores records by column, and that is the point:
 * the emulator's billing list (10,000 records per user) and an agent host's in-memory spend ledger
 * (100,000 lines) kept as objects lived in the old generation, where they cost garbage-collector time
 * on every request and about twice the heap; and a string per id cost a pointer, a 16-byte header and
 * padding on top of its characters, which at 10,000 agents was most of what a ledger line held (issue #18).
 * Records are rebuilt on read, oldest first, with the keys in the order the spec lists them.
 *
 * Column kinds:
 * - `number`: every double as pushed (-0 included);
 * - `optionalNumber`: stores `undefined` as NaN and reads NaN back as `undefined`;
 * - `count`: a whole number from 0 to 2^32 - 2 in 4 bytes; any other value (rare) is kept as it is on the side;
 * - `string`: any string or `undefined`, kept by reference;
 * - `sharedString`: any string or `undefined`, kept as a 4-byte code into the log's table of values: for values many
 *   records share (a model, a key name). Past 4,096 distinct values, new ones are kept on the side;
 * - `uniqueString`: any string or `undefined`, kept as its UTF-8 bytes in the chunk's buffer (4 bytes of
 *   bookkeeping, no object): for values unique to a record (ids, agent names). A string that UTF-8 cannot
 *   carry unchanged (a lone surrogate), one over 4,096 characters, or a value that is not a string is kept as
 *   it is on the side;
 * - `isoTime`: an ISO 8601 string as `Date#toISOString()` writes it, kept as its epoch ms (8 bytes instead
 *   of a 40-byte string); any other string (rare) is kept as it is on the side, so every value reads back unchanged.
 */

import { canonicalIsoMs, isoOf } from './isoTime.js'

type Kind = 'number' | 'optionalNumber' | 'count' | 'string' | 'sharedString' | 'uniqueString' | 'isoTime'

/** The columns of a record type, in the key order records are rebuilt with. */
export type ColumnSpec<T> = { readonly [K in keyof T]-?: Kind }

/** Records `first … first + slots - 1`, column by column. */
type Chunk = {
  numbers: Float64Array
  strings: (string | undefined)[]
  /** `count` values, and `sharedString` codes (`0`: undefined, else the table index + 1); `SIDE_SMALL` marks a value on the side. */
  small: Uint32Array
  /** Per `uniqueString` value: its end offset in `bytes` × 4 + its tag (the start is the previous value's end). */
  ends: Uint32Array
  bytes: Buffer
  used: number
  slots: number
}

// `ends` tags.
const ASCII = 0
const UTF8 = 1
const ABSENT = 2 // undefined
const SIDE = 3 // kept in the side map
// In `small`: the value is in the side map.
const SIDE_SMALL = 0xffff_ffff
// Distinct `sharedString` values a log remembers; more go on the side, so a column misused for unique values stays bounded.
const MAX_SHARED = 4096

export class ColumnarRing<T extends object> implements Iterable<T> {
  readonly #keys: (keyof T)[]
  // Per key: its column (numbers, strings, small values and unique strings are numbered separately), and what kind it is.
  readonly #column: number[]
  readonly #kind: Kind[]
  readonly #nums: number
  readonly #strs: number
  readonly #smalls: number
  readonly #uniques: number
  // `sharedString` values by code - 1, and codes by value.
  readonly #table: string[] = []
  readonly #codes = new Map<string, number>()
  readonly #chunks: Chunk[] = []
  // Values kept on the side (odd `isoTime`, `count`, `sharedString` and `uniqueString` values), by `record * keys + key index`.
  readonly #side = new Map<number, unknown>()
  // Absolute record numbers: the first record of `#chunks[0]`, the oldest kept, and the next to be pushed.
  #first = 0
  #start = 0
  #end = 0
  // Records per full chunk: 1,024, or the power of two at or above a smaller capacity (at least 64).
  readonly #bits: number
  readonly #mask: number
  readonly #write: Writer
  readonly #helpers: Helpers = {
    unique: (chunk, u, v, sideKey) => this.#pushUnique(chunk, u, v, sideKey),
    shared: (v, sideKey) => this.#shared(v, sideKey),
    side: this.#side,
  }

  /**
   * @example
   * ```ts
   * type Line = { at: number; agent: string; costDiem: number; balance: number | undefined }
   * const log = new ColumnarRing<Line>(10_000, { at: 'number', agent: 'uniqueString', costDiem: 'number', balance: 'optionalNumber' })
   * log.push({ at: Date.now(), agent: 'bot', costDiem: 0.002, balance: undefined })
   * log.length // 1
   * ;[...log][0].agent // 'bot'
   * ```
   */
  constructor(
    readonly capacity: number,
    spec: ColumnSpec<T>,
  ) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`A ColumnarRing's capacity must be a whole number, at least 1 (got ${capacity})`)
    this.#keys = Object.keys(spec) as (keyof T)[]
    const count: Record<'n' | 's' | 'm' | 'u', number> = { n: 0, s: 0, m: 0, u: 0 }
    this.#column = []
    this.#kind = []
    for (const k of this.#keys) {
      const kind = spec[k]
      this.#kind.push(kind)
      this.#column.push(count[kind === 'string' ? 's' : kind === 'uniqueString' ? 'u' : kind === 'count' || kind === 'sharedString' ? 'm' : 'n']++)
    }
    this.#nums = count.n
    this.#strs = count.s
    this.#smalls = count.m
    this.#uniques = count.u
    this.#bits = Math.min(CHUNK_BITS, Math.max(6, Math.ceil(Math.log2(capacity))))
    this.#mask = (1 << this.#bits) - 1
    this.#write = compileWriter(this.#keys as string[], this.#kind, this.#column, { n: this.#nums, s: this.#strs, m: this.#smalls, u: this.#uniques })
  }

  get length(): number {
    return this.#end - this.#start
  }

  /** Appends a record, dropping the oldest one when the log is full. */
  push(record: T): void {
    const at = this.#end
    const chunk = this.#chunkFor(at)
    const i = at & this.#mask
    this.#write(record, chunk, i, at * this.#keys.length, this.#helpers)
    this.#end++
    if (i === this.#mask) this.#seal(chunk)
    if (this.#end - this.#start > this.capacity) this.#dropOldest()
  }

  /** The records, oldest first, as a new array. */
  toArray(): T[] {
    return [...this]
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let at = this.#start; at < this.#end; at++) yield this.#at(at)
  }

  #at(at: number): T {
    const chunk = this.#chunks[(at - this.#first) >>> this.#bits]!
    const i = at & this.#mask
    const n = i * this.#nums
    const s = i * this.#strs
    const m = i * this.#smalls
    let u = i * this.#uniques
    const out: Record<PropertyKey, unknown> = {}
    for (let f = 0; f < this.#keys.length; f++) {
      const key = this.#keys[f] as PropertyKey
      const kind = this.#kind[f]!
      if (kind === 'string') out[key] = chunk.strings[s + this.#column[f]!]
      else if (kind === 'uniqueString') out[key] = this.#readUnique(chunk, u++, at * this.#keys.length + f)
      else if (kind === 'count' || kind === 'sharedString') {
        const x = chunk.small[m + this.#column[f]!]!
        out[key] = x === SIDE_SMALL ? this.#side.get(at * this.#keys.length + f) : kind === 'count' ? x : x === 0 ? undefined : this.#table[x - 1]
      } else {
        const v = chunk.numbers[n + this.#column[f]!]!
        if (kind === 'number') out[key] = v
        else if (kind === 'optionalNumber') out[key] = v === v ? v : undefined
        else out[key] = v === v ? isoOf(v) : this.#side.get(at * this.#keys.length + f)
      }
    }
    return out as T
  }

  /** The code of a `sharedString` value (`SIDE_SMALL` once the table is full: the value then goes on the side). */
  readonly #shared = (v: string | undefined, sideKey: number): number => {
    if (v === undefined) return 0
    let code = this.#codes.get(v)
    if (code === undefined) {
      if (typeof v !== 'string' || this.#table.length >= MAX_SHARED) {
        this.#side.set(sideKey, v)
        return SIDE_SMALL
      }
      code = this.#table.push(v)
      this.#codes.set(v, code)
    }
    return code
  }

  readonly #pushUnique = (chunk: Chunk, u: number, v: string | undefined, sideKey: number): void => {
    if (typeof v !== 'string' || v.length > MAX_UNIQUE_CHARS) {
      // Absent, not a string (a caller's type slip, or a server's odd id), or long: kept as it is.
      if (v !== undefined) this.#side.set(sideKey, v)
      chunk.ends[u] = chunk.used * 4 + (v === undefined ? ABSENT : SIDE)
      return
    }
    // ASCII, the usual case, is copied byte by byte here: cheaper than a call into `Buffer#write` for short ids.
    if (chunk.used + v.length * 3 > chunk.bytes.length) this.#growBytes(chunk, v.length * 3)
    const bytes = chunk.bytes
    let p = chunk.used
    let ascii = true
    for (let c = 0; c < v.length; c++) {
      const code = v.charCodeAt(c)
      if (code > 0x7f) {
        ascii = false
        break
      }
      bytes[p++] = code
    }
    if (!ascii) {
      if (/\p{Cs}/u.test(v)) {
        this.#side.set(sideKey, v)
        chunk.ends[u] = chunk.used * 4 + SIDE
        return
      }
      p = chunk.used + bytes.write(v, chunk.used, 'utf8')
    }
    chunk.used = p
    chunk.ends[u] = p * 4 + (ascii ? ASCII : UTF8)
  }

  #readUnique(chunk: Chunk, u: number, sideKey: number): string | undefined {
    const end = chunk.ends[u]!
    const tag = end & 3
    if (tag === ABSENT) return undefined
    if (tag === SIDE) return this.#side.get(sideKey) as string | undefined
    const start = u === 0 ? 0 : chunk.ends[u - 1]! >>> 2
    return chunk.bytes.toString(tag === ASCII ? 'latin1' : 'utf8', start, end >>> 2)
  }

  #chunkFor(at: number): Chunk {
    const full = this.#mask + 1
    const last = this.#chunks[this.#chunks.length - 1]
    if ((at - this.#first) >>> this.#bits < this.#chunks.length) {
      if ((at & this.#mask) < last!.slots) return last!
      // Only the first chunk is ever short: double it (up to a full chunk) while the log is young.
      return this.#resize(last!, Math.min(full, last!.slots * 2))
    }
    const chunk = this.#makeChunk(this.#chunks.length === 0 && this.#first === 0 ? Math.min(64, full) : full)
    this.#chunks.push(chunk)
    return chunk
  }

  #makeChunk(slots: number): Chunk {
    return {
      numbers: new Float64Array(slots * this.#nums),
      strings: this.#strs ? new Array<string | undefined>(slots * this.#strs) : [],
      small: new Uint32Array(slots * this.#smalls),
      ends: new Uint32Array(slots * this.#uniques),
      bytes: Buffer.allocUnsafeSlow(this.#uniques ? slots * this.#uniques * 16 : 0),
      used: 0,
      slots,
    }
  }

  #resize(chunk: Chunk, slots: number): Chunk {
    const numbers = new Float64Array(slots * this.#nums)
    numbers.set(chunk.numbers)
    const ends = new Uint32Array(slots * this.#uniques)
    ends.set(chunk.ends)
    const small = new Uint32Array(slots * this.#smalls)
    small.set(chunk.small)
    chunk.small = small
    chunk.numbers = numbers
    chunk.ends = ends
    chunk.strings.length = slots * this.#strs
    chunk.slots = slots
    return chunk
  }

  #growBytes(chunk: Chunk, atLeast: number): void {
    const bytes = Buffer.allocUnsafeSlow(Math.max(chunk.bytes.length * 2, chunk.used + atLeast, 256))
    chunk.bytes.copy(bytes, 0, 0, chunk.used)
    chunk.bytes = bytes
  }

  /** A full chunk gives back the slack its byte buffer grew with (one copy per chunk). */
  #seal(chunk: Chunk): void {
    if (chunk.bytes.length === chunk.used) return
    const bytes = Buffer.allocUnsafeSlow(chunk.used)
    chunk.bytes.copy(bytes, 0, 0, chunk.used)
    chunk.bytes = bytes
  }

  #dropOldest(): void {
    this.#start++
    if (this.#start - this.#first < this.#chunks[0]!.slots) return
    this.#first += this.#chunks.shift()!.slots
    // Side keys grow with the record number and are never set again, so the map is in key order: stop at the first kept one.
    const bound = this.#first * this.#keys.length
    for (const key of this.#side.keys()) {
      if (key >= bound) break
      this.#side.delete(key)
    }
  }
}

/** What generated writers call back into: the ring's string packing, its shared-string table and its side map. */
type Helpers = {
  unique: (chunk: Chunk, u: number, v: string | undefined, sideKey: number) => void
  shared: (v: string | undefined, sideKey: number) => number
  side: Map<number, unknown>
}

/** Writes one record's fields into slot `i` of a chunk (see `compileWriter`). */
type Writer = (record: object, chunk: Chunk, i: number, sideBase: number, h: Helpers) => void

/**
 * A `push` body for one column spec, with every field read by its own name: a loop over the keys read
 * each field through one megamorphic keyed load and branched on its kind, which cost more than the rest
 * of a ledger line (issue #18). The generated code holds only the spec's keys (as JSON string literals)
 * and column numbers, never a record's values.
 */
function compileWriter(keys: string[], kinds: Kind[], columns: number[], per: { n: number; s: number; m: number; u: number }): Writer {
  let uniques = 0
  const lines = keys.map((key, f) => {
    const get = `record[${JSON.stringify(key)}]`
    const c = columns[f]!
    switch (kinds[f]!) {
      case 'number':
      case 'optionalNumber':
        return `v = ${get}; numbers[n + ${c}] = v === undefined ? NaN : v`
      case 'count':
        // A whole number from 0 to 2^32 - 2 fits; anything else (-0, fractions, undefined, …) goes on the side.
        return `v = ${get}; if ((v >>> 0) === v && v !== ${SIDE_SMALL} && (v !== 0 || 1 / v > 0)) small[m + ${c}] = v; else { small[m + ${c}] = ${SIDE_SMALL}; h.side.set(sideBase + ${f}, v) }`
      case 'string':
        return `strings[s + ${c}] = ${get}`
      case 'sharedString':
        return `small[m + ${c}] = h.shared(${get}, sideBase + ${f})`
      case 'uniqueString':
        return `h.unique(chunk, u + ${uniques++}, ${get}, sideBase + ${f})`
      case 'isoTime':
        return `v = ${get}; ms = typeof v === 'string' ? canonicalIsoMs(v) : NaN; numbers[n + ${c}] = ms; if (ms !== ms) h.side.set(sideBase + ${f}, v)`
    }
  })
  const body = [
    'let v, ms',
    `const numbers = chunk.numbers, strings = chunk.strings, small = chunk.small, n = i * ${per.n}, s = i * ${per.s}, m = i * ${per.m}, u = i * ${per.u}`,
    ...lines,
  ].join('; ')
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the spec's keys only (see above)
  const make = new Function('canonicalIsoMs', `return function write(record, chunk, i, sideBase, h) { ${body} }`) as (iso: typeof canonicalIsoMs) => Writer
  return make(canonicalIsoMs)
}

const CHUNK_BITS = 10
// Longer values go on the side, so a chunk's byte offsets stay far below 2^30 (the `ends` encoding's limit):
// 1,024 records × 3 bytes a character × 4,096 characters is 12 MiB per `uniqueString` column.
const MAX_UNIQUE_CHARS = 4096
