import { createHash } from 'node:crypto'

const S32 = '234567abcdefghijklmnopqrstuvwxyz'

function s32(n: bigint, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    out = S32[Number(n & 31n)]! + out
    n >>= 5n
  }
  return out
}

/**
 * A record key in AT Protocol's TID syntax (13 base32-sortable characters: 53 bits of microseconds, 10 bits of
 * clock id) derived only from a post's idempotency key and the time it was first attempted, so every retry of one
 * post names the same record, and a second `createRecord` can never make a second post. Hand-written (15 lines of
 * the spec's encoding) because @atproto/common-web, whose `TID.fromTime` does the same, is not a direct dependency.
 *
 * @example
 * ```ts
 * deterministicTid('marco:2026-11-30T10:00Z', Date.parse('2026-11-30T10:00:00Z')) // '3m…' (13 characters)
 * ```
 */
export function deterministicTid(idempotencyKey: string, attemptedAtMs: number): string {
  const h = createHash('sha256').update(idempotencyKey).digest()
  const micros = BigInt(Math.floor(attemptedAtMs)) * 1000n + BigInt(h.readUInt16BE(0) % 1000)
  const clockId = BigInt(h.readUInt16BE(2) & 1023)
  return s32(micros, 11) + s32(clockId, 2)
}
