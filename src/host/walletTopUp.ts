import { formatEther } from 'viem'
import type { TopUpFn, TopUpResult } from '../agent/funding.js'
import type { FundingPolicy } from '../agent/fundingPolicy.js'
import { topUp, type TopUpReturnType } from '../wallet/actions/topUp.js'
import type { Wallet } from '../wallet/createWallet.js'
import { PolicyViolationError } from '../wallet/errors.js'
import { formatShort } from '../wallet/amounts.js'
import type { JournalRun } from '../wallet/journal/journal.js'
import { paidFor, reconcileJournal, withWalletLock } from '../wallet/send/withRun.js'
import { FundingWindowError, toFundingFailure } from './fundingErrors.js'

export type WalletTopUpOptions = {
  wallet: Wallet
  /**
   * The funding policy, whole: `ethPerTopUp` per automatic top-up (the spend policy still caps it), `mintDiem`
   * (lock the new sVVV into DIEM and stake it), and the funding window `cooldownMs`: at most one top-up per window
   * for the wallet ADDRESS. This is the one place the window is enforced: the last top-up is read from the
   * address's journal under its lock, in the same critical section as the top-up itself, so parallel tool calls,
   * agents, processes and state dirs get exactly one per window.
   */
  policy: Pick<FundingPolicy, 'ethPerTopUp' | 'mintDiem' | 'cooldownMs'>
  /** Told about every completed top-up (the demo prints it), and about a finished interrupted one. */
  onTopUp?: ((result: TopUpReturnType, reason: string) => void) | undefined
  now?: (() => number) | undefined
}

/**
 * The chain-backed top-up the funding controller calls: swap ETH → VVV, stake, optionally mint and stake DIEM,
 * all through the wallet's policy chokepoint. A policy refusal comes back as `{ ok: false, refusal }` in words;
 * each top-up has its own idempotency key so a crash mid-way resumes instead of repeating.
 *
 * @example
 * ```ts
 * const policy = { minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: true }
 * const runner = createRunner({ baseURL, keys, topUp: createWalletTopUp({ wallet, policy }), funding: policy })
 * ```
 */
export function createWalletTopUp(options: WalletTopUpOptions): TopUpFn {
  const now = options.now ?? Date.now
  let sequence = 0
  return async (request) =>
    requestTopUp(options, {
      eth: options.policy.ethPerTopUp,
      reason: request.reason,
      idempotencyKey: `topup:${new Date(now()).toISOString().slice(0, 10)}:${now()}:${sequence++}`,
    })
}

/**
 * One top-up of `eth` under the policy, as a `TopUpResult`. Used by the automatic path and by the
 * `request_top_up` tool (where the model may suggest an amount — and the policy may refuse it).
 *
 * One critical section under the wallet's inter-process lock, with the journal re-read inside it: signed
 * steps are reconciled with the chain; an unfinished top-up (paid for, not completed) is finished first — the
 * funding window never blocks what was already paid for; otherwise the window is checked and the top-up runs.
 *
 * @throws {FundingFailedError} one line, with the exit code of its class (network 5, funds 6), when the top-up
 *   was attempted and failed.
 *
 * @example
 * ```ts
 * const r = await requestTopUp({ wallet, policy: { mintDiem: true, cooldownMs: 3_600_000 } }, { eth: parseEther('0.01'), reason: 'runway' })
 * if (!r.ok) console.log(r.refusal) // 'A top-up already ran at …; the funding policy allows the next one after …'
 * ```
 */
export async function requestTopUp(
  options: { wallet: Wallet; policy: Pick<FundingPolicy, 'mintDiem' | 'cooldownMs'> } & Pick<WalletTopUpOptions, 'onTopUp' | 'now'>,
  p: { eth: bigint; reason: string; idempotencyKey?: string | undefined },
): Promise<TopUpResult> {
  const { wallet } = options
  try {
    return await withWalletLock(wallet, async (): Promise<TopUpResult> => {
      await reconcileJournal(wallet)
      const finished = wallet.dryRun ? undefined : await finishUnfinished(options, p.reason)
      if (finished)
        return { ok: true, summary: `finished an interrupted top-up: ${describeTopUp(finished)}`, addedDiem: Number(formatEther(finished.diemStaked)) }
      const now = (options.now ?? Date.now)()
      const last = lastTopUpAt(wallet)
      const { cooldownMs, mintDiem } = options.policy
      if (cooldownMs && last !== undefined && now - last < cooldownMs) throw new FundingWindowError(new Date(last), new Date(last + cooldownMs))
      const result = await topUp(wallet, { eth: p.eth, mintDiem, idempotencyKey: p.idempotencyKey })
      options.onTopUp?.(result, p.reason)
      return { ok: true, summary: describeTopUp(result), addedDiem: Number(formatEther(result.diemStaked)) }
    })
  } catch (err) {
    if (err instanceof PolicyViolationError || err instanceof FundingWindowError)
      return { ok: false, refusal: [err.shortMessage, ...err.metaMessages].join(' ') }
    throw toFundingFailure(err)
  }
}

/**
 * Finishes the oldest interrupted top-up of this wallet, if any (VVV bought and not staked, DIEM not minted,
 * minted and not staked, a step signed and never sent): what was paid for is completed, whatever the funding
 * window says. `gondola run` calls it before the first run.
 *
 * @returns the completed top-up, or undefined when none was unfinished.
 * @throws {FundingFailedError} when finishing it failed (it stays unfinished for the next attempt).
 *
 * @example
 * ```ts
 * const done = await finishInterruptedTopUp({ wallet })
 * if (done) console.log(describeTopUp(done))
 * ```
 */
export async function finishInterruptedTopUp(options: Pick<WalletTopUpOptions, 'wallet' | 'onTopUp'>): Promise<TopUpReturnType | undefined> {
  if (options.wallet.dryRun) return undefined
  try {
    return await withWalletLock(options.wallet, async () => {
      await reconcileJournal(options.wallet)
      return finishUnfinished(options, 'finishing an interrupted top-up')
    })
  } catch (err) {
    throw toFundingFailure(err)
  }
}

/** Under the lock: resumes the oldest unfinished top-up with its own key, amount and DIEM choice. */
async function finishUnfinished(options: Pick<WalletTopUpOptions, 'wallet' | 'onTopUp'>, reason: string): Promise<TopUpReturnType | undefined> {
  const run = unfinishedTopUps(options.wallet)[0]
  if (!run) return undefined
  const intent = parseTopUpIntent(run.intent)
  if (run.status !== 'open') await options.wallet.journal.reopenRun(run)
  const result = await topUp(options.wallet, { eth: intent.eth, mintDiem: intent.mintDiem, idempotencyKey: run.key })
  options.onTopUp?.(result, reason)
  return result
}

/**
 * Top-ups that were paid for (a step confirmed or signed) and not completed, oldest first: what `gondola status`
 * lists and the next run finishes.
 *
 * @example
 * ```ts
 * unfinishedTopUps(wallet).map((r) => `${r.key}: ${r.steps.map((s) => `${s.name} ${s.status}`).join(', ')}`)
 * ```
 */
export function unfinishedTopUps(wallet: Pick<Wallet, 'journal'>): JournalRun[] {
  return wallet.journal.runs().filter((r) => r.intent.startsWith('topUp:') && r.status !== 'done' && paidFor(r))
}

function parseTopUpIntent(intent: string): { eth: bigint; mintDiem: boolean } {
  const [, eth, mode] = intent.split(':')
  return { eth: BigInt(eth!), mintDiem: mode === 'diem' }
}

/**
 * When the wallet last started a top-up that bought something or may still (a step confirmed or in flight), from
 * the address's journal, so across processes. One whose every step was dropped or reverted bought nothing and
 * does not count.
 */
export function lastTopUpAt(wallet: Pick<Wallet, 'journal'>): number | undefined {
  const times = wallet.journal
    .runs()
    .filter((r) => r.intent.startsWith('topUp:') && paidFor(r))
    .map((r) => Date.parse(r.createdAt))
  return times.length ? Math.max(...times) : undefined
}

/** `swapped 0.01 ETH → 9.9 VVV, staked 9.9 sVVV, minted and staked 0.09 DIEM (4 tx)`. */
export function describeTopUp(r: TopUpReturnType): string {
  const parts = [`swapped ${formatShort(r.ethIn)} ETH → ${formatShort(r.vvvBought)} VVV`, `staked ${formatShort(r.svvvStaked)} sVVV`]
  if (r.diemMinted > 0n) parts.push(`minted ${formatShort(r.diemMinted)} DIEM${r.diemStaked > 0n ? ' and staked it' : ''}`)
  return `${parts.join(', ')} (${r.hashes.length} tx)`
}
