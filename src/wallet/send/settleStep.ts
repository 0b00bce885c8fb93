import {
  BaseError as ViemBaseError,
  NonceTooLowError,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import type { Wallet } from '../createWallet.js'
import { ReceiptTimeoutError } from '../errors.js'
import type { JournalRun, JournalStep } from '../journal/journal.js'
import { sleep } from '../../util/sleep.js'

export type SettleResult = { status: 'confirmed' | 'reverted'; receipt: TransactionReceipt } | { status: 'dropped' }

/**
 * Brings a journaled, signed transaction to a final state: if it has a receipt, records it;
 * otherwise (re)broadcasts the same signed bytes — same hash, same nonce, so it can never execute
 * twice — and waits for the receipt. If its nonce was taken by another transaction and it has no
 * receipt, it can never be mined: it is recorded as dropped. `fresh`: the step was just signed by this
 * process (no receipt to look up first).
 *
 * @throws {ReceiptTimeoutError} when no receipt arrives in `wallet.receiptTimeoutMs` (the step stays `signed`).
 *
 * @example
 * ```ts
 * const settled = await settleStep(wallet, run, step) // { status: 'confirmed', receipt }
 * ```
 */
export async function settleStep(wallet: Wallet, run: JournalRun, step: JournalStep, options: { fresh?: boolean } = {}): Promise<SettleResult> {
  // A step signed a moment ago by this process cannot have a receipt yet: skip the look-up.
  let receipt = options.fresh ? undefined : await getReceipt(wallet, step.hash)
  if (!receipt) {
    const sent = await broadcast(wallet, step.raw)
    if (sent === 'nonceUsed') {
      receipt = await getReceipt(wallet, step.hash)
      if (!receipt) {
        await wallet.journal.recordOutcome(run, step, { status: 'dropped' })
        return { status: 'dropped' }
      }
    } else {
      await wallet.hooks.afterBroadcast?.(step)
      receipt = await waitForReceipt(wallet, step.hash)
    }
  }
  const status = receipt.status === 'success' ? 'confirmed' : 'reverted'
  await wallet.journal.recordOutcome(run, step, { status, blockNumber: receipt.blockNumber.toString(), gasUsed: receipt.gasUsed.toString() })
  return { status, receipt }
}

async function getReceipt(wallet: Wallet, hash: Hex): Promise<TransactionReceipt | undefined> {
  try {
    return await wallet.publicClient.getTransactionReceipt({ hash })
  } catch (err) {
    if (err instanceof TransactionReceiptNotFoundError) return undefined
    throw err
  }
}

async function broadcast(wallet: Wallet, raw: Hex): Promise<'sent' | 'known' | 'nonceUsed'> {
  try {
    await wallet.publicClient.sendRawTransaction({ serializedTransaction: raw })
    return 'sent'
  } catch (err) {
    const text = err instanceof Error ? `${err.message} ${err instanceof ViemBaseError ? err.details : ''}`.toLowerCase() : ''
    if (text.includes('already known') || text.includes('known transaction') || text.includes('already imported')) return 'known'
    const nonceLow = err instanceof ViemBaseError && err.walk((e) => e instanceof NonceTooLowError)
    if (nonceLow || text.includes('nonce too low') || text.includes('nonce has already been used')) return 'nonceUsed'
    throw err
  }
}

/**
 * Polls `eth_getTransactionReceipt` alone. viem's `waitForTransactionReceipt` also watches block numbers
 * and fetches the transaction to detect replacements (3–6 requests per transaction on the devnet); the
 * journal already handles a replaced (dropped) nonce, so one request per poll is enough.
 */
async function waitForReceipt(wallet: Wallet, hash: Hex): Promise<TransactionReceipt> {
  const deadline = Date.now() + wallet.receiptTimeoutMs
  for (;;) {
    const receipt = await getReceipt(wallet, hash)
    if (receipt) return receipt
    if (Date.now() >= deadline) throw new ReceiptTimeoutError(hash, wallet.receiptTimeoutMs, { cause: new WaitForTransactionReceiptTimeoutError({ hash }) })
    await sleep(wallet.pollingIntervalMs)
  }
}
