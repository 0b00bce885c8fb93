import { formatEther } from 'viem'
import type { TopUpFn, TopUpResult } from '../agent/funding.js'
import { topUp, type TopUpReturnType } from '../wallet/actions/topUp.js'
import type { Wallet } from '../wallet/createWallet.js'
import { PolicyViolationError } from '../wallet/errors.js'
import { formatShort } from '../wallet/amounts.js'

export type WalletTopUpOptions = {
  wallet: Wallet
  /** ETH converted per automatic top-up (wei). The spend policy still caps it. */
  ethPerTopUp: bigint
  /** Lock the new sVVV into DIEM and stake it (DIEM gives $1/day each; sVVV alone earns a pool share). */
  mintDiem: boolean
  /** Told about every completed top-up (the demo prints it). */
  onTopUp?: ((result: TopUpReturnType, reason: string) => void) | undefined
  /**
   * At most one top-up per this many ms, across processes: the last one is read from the wallet's journal,
   * so a new `gondola run` process cannot top up again inside the window. Default: no window here (the
   * funding controller keeps its own in-process cooldown).
   */
  cooldownMs?: number | undefined
  now?: (() => number) | undefined
}

/**
 * The chain-backed top-up the funding controller calls: swap ETH → VVV, stake, optionally mint and stake DIEM,
 * all through the wallet's policy chokepoint. A policy refusal comes back as `{ ok: false, refusal }` in words;
 * each top-up has its own idempotency key so a crash mid-way resumes instead of repeating.
 *
 * @example
 * ```ts
 * const topUpFn = createWalletTopUp({ wallet, ethPerTopUp: parseEther('0.01'), mintDiem: true })
 * const runner = createRunner({ baseURL, keys, topUp: topUpFn, funding: { minRunwayHours: 24, cooldownMs: 3_600_000 } })
 * ```
 */
export function createWalletTopUp(options: WalletTopUpOptions): TopUpFn {
  const now = options.now ?? Date.now
  let sequence = 0
  return async (request) => requestTopUp(options, { eth: options.ethPerTopUp, reason: request.reason, idempotencyKey: `topup:${new Date(now()).toISOString().slice(0, 10)}:${now()}:${sequence++}` })
}

/**
 * One top-up of `eth` under the policy, as a `TopUpResult`. Used by the automatic path and by the
 * `request_top_up` tool (where the model may suggest an amount — and the policy may refuse it).
 */
export async function requestTopUp(options: Pick<WalletTopUpOptions, 'wallet' | 'mintDiem' | 'onTopUp' | 'cooldownMs' | 'now'>, p: { eth: bigint; reason: string; idempotencyKey?: string | undefined }): Promise<TopUpResult> {
  const now = (options.now ?? Date.now)()
  const last = lastTopUpAt(options.wallet)
  if (options.cooldownMs && last !== undefined && now - last < options.cooldownMs) {
    const next = new Date(last + options.cooldownMs).toISOString()
    return { ok: false, refusal: `A top-up already ran at ${new Date(last).toISOString()}; the funding policy allows the next one after ${next}.` }
  }
  try {
    const result = await topUp(options.wallet, { eth: p.eth, mintDiem: options.mintDiem, idempotencyKey: p.idempotencyKey })
    options.onTopUp?.(result, p.reason)
    return { ok: true, summary: describeTopUp(result), addedDiem: Number(formatEther(result.diemStaked)) }
  } catch (err) {
    if (err instanceof PolicyViolationError) return { ok: false, refusal: [err.shortMessage, ...err.metaMessages].join(' ') }
    throw err
  }
}

/** When the wallet last started a top-up that did not fail (from its journal, so across processes). */
export function lastTopUpAt(wallet: Pick<Wallet, 'journal'>): number | undefined {
  const times = wallet.journal
    .runs()
    .filter((r) => r.intent.startsWith('topUp:') && r.status !== 'failed')
    .map((r) => Date.parse(r.createdAt))
  return times.length ? Math.max(...times) : undefined
}

/** `swapped 0.01 ETH → 9.9 VVV, staked 9.9 sVVV, minted and staked 0.09 DIEM (4 tx)`. */
export function describeTopUp(r: TopUpReturnType): string {
  const parts = [`swapped ${formatShort(r.ethIn)} ETH → ${formatShort(r.vvvBought)} VVV`, `staked ${formatShort(r.svvvStaked)} sVVV`]
  if (r.diemMinted > 0n) parts.push(`minted ${formatShort(r.diemMinted)} DIEM${r.diemStaked > 0n ? ' and staked it' : ''}`)
  return `${parts.join(', ')} (${r.hashes.length} tx)`
}
