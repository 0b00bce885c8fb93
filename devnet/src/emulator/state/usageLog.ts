/**
 * A user's billing records (the last `capacity` charged requests), kept in columns (see `ColumnarRing`):
 * the emulator charges every request and its list holds up to 10,000 records per user; as objects they all
 * lived in the old generation and cost more garbage-collector time per request than the rest of the billing
 * code (issue #18 goal 2). Routes read it by iteration, which builds the record objects on demand, oldest first.
 */
import { ColumnarRing } from 'gondola/util'
import type { UsageEntry } from './accounts.js'

export class UsageLog extends ColumnarRing<UsageEntry> {
  /**
   * @example
   * ```ts
   * const log = new UsageLog(10_000)
   * log.push({ model: 'qwen3-4b', promptTokens: 9, completionTokens: 3, kind: 'chat', requestId: 'chatcmpl-1', seq: 1, at: Date.now(), keyId: 'k1', usd: 0, diem: 0.000002 })
   * ;[...log][0].requestId // 'chatcmpl-1'
   * ```
   */
  constructor(capacity: number) {
    // The key order the object-per-record list had (the charge's line, then the bookkeeping fields).
    super(capacity, {
      model: 'string',
      promptTokens: 'number',
      completionTokens: 'number',
      kind: 'string',
      requestId: 'uniqueString',
      seq: 'number',
      at: 'number',
      keyId: 'string',
      usd: 'number',
      diem: 'number',
    })
  }
}
