/**
 * The x402 payments journal: one JSON file per (address, chain) beside the wallet's transaction journal
 * (`<dataDir>/wallets/<address>/x402-<chainId>[-<instance>].json`), rewritten atomically on every change and only
 * under the wallet's lock. A payment is recorded three times: its intent (before anything is signed), its signed
 * EIP-3009 authorization (nonce, validity, the whole `PAYMENT-SIGNATURE` header) BEFORE it is sent, and its outcome.
 * The authorization's nonce is the idempotency key: the token accepts it once, so resending the same header can
 * never pay twice, and `authorizationState(from, nonce)` on chain says whether it was paid.
 *
 * A separate file, not a run of the transaction journal: an x402 payment is a signature the payee submits, not a
 * transaction this wallet sends (no account nonce, hash or raw bytes to rebroadcast).
 */
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Hex } from 'viem'
import { z } from 'zod'
import { atomicWrite } from '../../util/atomicWrite.js'
import { JournalError } from '../errors.js'

/** intent → signed → settled; or dropped (expired unused: nothing was paid), or failed before signing. */
export type X402PaymentStatus = 'intent' | 'signed' | 'settled' | 'dropped' | 'failed'

const paymentSchema = z.object({
  key: z.string(),
  status: z.enum(['intent', 'signed', 'settled', 'dropped', 'failed']),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** USDC base units. */
  amount: z.string(),
  network: z.string(),
  asset: z.string(),
  payTo: z.string(),
  reason: z.string(),
  nonce: z.string().optional(),
  validBefore: z.string().optional(),
  signedAt: z.string().optional(),
  /** The base64 `PAYMENT-SIGNATURE`: resent as is after a crash (it pays only `payTo`, only `amount`, only once). */
  paymentSignature: z.string().optional(),
  /** The payee refused it (a 4xx): not resent, but counted until it expires (the payee still holds it). */
  refused: z.string().optional(),
  transaction: z.string().optional(),
  creditedUsd: z.number().optional(),
  newBalanceUsd: z.number().optional(),
  paymentId: z.string().optional(),
  settledAt: z.string().optional(),
})
const fileSchema = z.object({ version: z.literal(1), payments: z.array(paymentSchema) })

export type X402Payment = z.infer<typeof paymentSchema>

export type X402Journal = {
  readonly path: string
  payments(): readonly X402Payment[]
  /** Payments that may still move money: signed, not yet settled or dropped. */
  unfinished(): X402Payment[]
  start(p: Pick<X402Payment, 'key' | 'amount' | 'network' | 'asset' | 'payTo' | 'reason'>): Promise<X402Payment>
  update(payment: X402Payment, fields: Partial<X402Payment>): Promise<void>
  /** USDC base units signed over on the UTC day of `at` (signed or settled: dropped and failed paid nothing). */
  signedOnDay(at: Date): bigint
  /** When the last top-up that may have paid (signed or settled) was signed, ms since the epoch. */
  lastSignedAt(): number | undefined
}

/** The x402 journal's file, beside the wallet's transaction journal file. */
export function x402JournalPathOf(walletJournalPath: string): string {
  if (!walletJournalPath.endsWith('.json'))
    throw new JournalError('x402 top-ups need the file journal (the fleet Postgres journal has no x402 table yet).', walletJournalPath, {
      code: 'X402_JOURNAL_UNSUPPORTED',
    })
  return join(dirname(walletJournalPath), basename(walletJournalPath).replace(/^journal-/, 'x402-'))
}

/**
 * Opens the x402 journal at `path` (call under the wallet lock; re-open after taking it to see other processes' writes).
 *
 * @throws {JournalError} when the file exists but is not a valid journal.
 *
 * @example
 * ```ts
 * const journal = await openX402Journal(x402JournalPathOf(wallet.journal.path))
 * journal.unfinished() // signed authorizations not yet known to be settled or expired
 * ```
 */
export async function openX402Journal(path: string, now: () => Date = () => new Date()): Promise<X402Journal> {
  const payments = await load(path)
  const save = () => atomicWrite(path, `${JSON.stringify({ version: 1, payments }, null, 2)}\n`)
  const counts = (p: X402Payment) => p.status === 'signed' || p.status === 'settled'
  return {
    path,
    payments: () => payments,
    unfinished: () => payments.filter((p) => p.status === 'signed'),
    async start(p) {
      const at = now().toISOString()
      const payment: X402Payment = { ...p, status: 'intent', createdAt: at, updatedAt: at }
      payments.push(payment)
      await save()
      return payment
    },
    async update(payment, fields) {
      Object.assign(payment, fields, { updatedAt: now().toISOString() })
      await save()
    },
    signedOnDay(at) {
      const day = at.toISOString().slice(0, 10)
      return payments.filter((p) => counts(p) && p.signedAt?.slice(0, 10) === day).reduce((s, p) => s + BigInt(p.amount), 0n)
    },
    lastSignedAt() {
      const times = payments.filter(counts).map((p) => Date.parse(p.signedAt ?? p.createdAt))
      return times.length ? Math.max(...times) : undefined
    },
  }
}

async function load(path: string): Promise<X402Payment[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new JournalError(`Cannot read the x402 journal at ${path}.`, path, { cause: err })
  }
  let parsed: ReturnType<typeof fileSchema.safeParse>
  try {
    parsed = fileSchema.safeParse(JSON.parse(text))
  } catch (cause) {
    throw new JournalError(`The x402 journal at ${path} is not valid JSON.`, path, {
      cause,
      metaMessages: ['Inspect it; move it away only if no payment is pending.'],
    })
  }
  if (!parsed.success)
    throw new JournalError(`The x402 journal at ${path} has an unexpected shape.`, path, {
      metaMessages: ['Inspect it; move it away only if no payment is pending.'],
    })
  return parsed.data.payments
}

/** The nonce of a journaled authorization, typed. */
export const nonceOf = (p: X402Payment): Hex | undefined => p.nonce as Hex | undefined
