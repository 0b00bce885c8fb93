/**
 * x402 credits: a USD balance per wallet, bought with USDC top-ups and spent by SIWX-authenticated
 * inference, with the ledger `/x402/transactions/{walletAddress}` reports (newest first).
 */
import { getAddress, type Address } from 'viem'

/** One ledger line, in the spec's shape (`amount` signed: + top-up, − charge). */
export type X402Transaction = {
  id: string
  amount: number
  balanceAfter: number
  type: 'TOP_UP' | 'CHARGE'
  createdAt: string
  requestId: string | null
  modelId: string | null
}

type Wallet = { balance: number; transactions: X402Transaction[] }

export type X402Credits = ReturnType<typeof createX402Credits>

/**
 * @example
 * ```ts
 * const credits = createX402Credits(() => Date.now())
 * credits.topUp('0xabc…', 5, 'payment_0x…')
 * credits.charge('0xabc…', 0.002, { requestId: 'chatcmpl-1', modelId: 'qwen3-4b' }) // 0.002
 * credits.balance('0xabc…') // 4.998
 * ```
 */
export function createX402Credits(now: () => number) {
  const wallets = new Map<Address, Wallet>()
  let seq = 0
  const wallet = (address: string): Wallet => {
    const key = getAddress(address)
    let w = wallets.get(key)
    if (!w) wallets.set(key, (w = { balance: 0, transactions: [] }))
    return w
  }
  const record = (w: Wallet, line: Omit<X402Transaction, 'id' | 'balanceAfter' | 'createdAt'>): void => {
    seq += 1
    const at = now()
    w.transactions.push({
      id: `ledger_${at.toString(36)}${seq.toString(36).padStart(6, '0')}`,
      balanceAfter: w.balance,
      createdAt: new Date(at).toISOString(),
      ...line,
    })
  }
  return {
    balance: (address: string): number => wallet(address).balance,
    /** Adds `usd` after a settled payment; `paymentId` is the request id of the ledger line. */
    topUp(address: string, usd: number, paymentId: string): number {
      const w = wallet(address)
      w.balance += usd
      record(w, { amount: usd, type: 'TOP_UP', requestId: paymentId, modelId: null })
      return w.balance
    },
    /**
     * Debits `usd` for one request, never below zero (like the Bearer path's USD balance, the last
     * call is capped at what is left).
     *
     * @returns the amount actually debited.
     */
    charge(address: string, usd: number, line: { requestId: string; modelId: string }): number {
      const w = wallet(address)
      const debit = Math.min(Math.max(0, usd), w.balance)
      w.balance -= debit
      record(w, { amount: -debit, type: 'CHARGE', requestId: line.requestId, modelId: line.modelId })
      return debit
    },
    /** Newest first, `offset` lines skipped, at most `limit`. */
    page(address: string, limit: number, offset: number): { transactions: X402Transaction[]; hasMore: boolean } {
      const all = wallet(address).transactions
      const end = Math.max(0, all.length - offset)
      const start = Math.max(0, end - limit)
      return { transactions: all.slice(start, end).reverse(), hasMore: start > 0 }
    },
    set(address: string, usd: number): void {
      wallet(address).balance = usd
    },
  }
}
