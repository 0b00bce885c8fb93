/**
 * The opaque `nextCursor` of `/billing/usage-history`: the walk's filters and the position of the last
 * row served, signed with HMAC-SHA256 so a tampered, expired or foreign cursor is rejected.
 * Token: base64url(JSON payload) followed by a 22-character base64url MAC (pattern `^[A-Za-z0-9_-]+$`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { LedgerPosition } from './ledgerRows.js'

/** What a cursor carries: owner, filters, page size, resume position and issue time (emulator clock). */
export type UsageCursor = {
  owner: string
  currency?: 'USD' | 'DIEM' | 'BUNDLED_CREDITS' | undefined
  /** Exclusive upper bound (ms). */
  end?: number | undefined
  pageSize: number
  after: LedgerPosition
  issuedAt: number
}

/** How long a cursor stays valid on the emulator clock. */
export const CURSOR_TTL_MS = 24 * 3_600_000
const MAC_CHARS = 22

/** Why a cursor was refused (the route turns it into Venice's 400). */
export type CursorProblem = 'malformed' | 'tampered' | 'expired' | 'foreign'

const macOf = (secret: Uint8Array, body: string): string =>
  createHmac('sha256', secret).update('usage-history-cursor:').update(body).digest().subarray(0, 16).toString('base64url')

/**
 * Signs a cursor.
 *
 * @example
 * ```ts
 * const token = encodeCursor(secret, { owner, pageSize: 100, after: [at, seq, 0], issuedAt: now })
 * ```
 */
export function encodeCursor(secret: Uint8Array, c: UsageCursor): string {
  const body = Buffer.from(JSON.stringify({ o: c.owner, c: c.currency, e: c.end, n: c.pageSize, a: c.after, t: c.issuedAt })).toString('base64url')
  return body + macOf(secret, body)
}

/**
 * Verifies and opens a cursor for `owner` at `now`.
 *
 * @returns the cursor, or the reason it is refused.
 * @example
 * ```ts
 * const r = decodeCursor(secret, token, key.owner, clock.now())
 * if ('problem' in r) throw …
 * ```
 */
export function decodeCursor(secret: Uint8Array, token: string, owner: string, now: number): UsageCursor | { problem: CursorProblem } {
  if (token.length <= MAC_CHARS) return { problem: 'malformed' }
  const body = token.slice(0, -MAC_CHARS)
  const mac = Buffer.from(token.slice(-MAC_CHARS))
  const expected = Buffer.from(macOf(secret, body))
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { problem: 'tampered' }
  let p: { o: string; c?: UsageCursor['currency']; e?: number; n: number; a: [number, number, number]; t: number }
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return { problem: 'malformed' }
  }
  if (p.o.toLowerCase() !== owner.toLowerCase()) return { problem: 'foreign' }
  if (now - p.t > CURSOR_TTL_MS) return { problem: 'expired' }
  return { owner: p.o, currency: p.c, end: p.e, pageSize: p.n, after: p.a, issuedAt: p.t }
}
