import { BaseError } from '../errors/BaseError.js'
import type { BalanceMonitor, BalanceSnapshot } from './balanceMonitor.js'
import { recordFunding } from '../telemetry/record.js'
import type { FundingPolicy } from './fundingPolicy.js'

/** What the funding controller asks the wallet for. The wallet's policy decides; the model never does. */
export type TopUpRequest = {
  /** Why: `runway`, `exhausted`, `402`, or `requested by <agent>: <text>` from the treasury tool. */
  reason: string
  runwayHours: number
  spendable: number | undefined
}

import type { TopUpResult } from '../tools/builtin/treasury.js'

/** What the injected top-up reports back (declared beside the `request_top_up` tool). */
export type { TopUpResult }

/**
 * The injected wallet top-up (swap ETH→VVV, stake, mint/stake DIEM under the spend policy). It owns the funding
 * window: `createWalletTopUp` refuses inside it (from the wallet's journal, under its lock).
 */
export type TopUpFn = (request: TopUpRequest) => Promise<TopUpResult>

/** Outcome of one `maybeTopUp` call. */
export type FundingOutcome =
  | { action: 'topped_up'; summary: string }
  | { action: 'refused'; refusal: string }
  | { action: 'not_needed' }
  /** `error` is one line (the short message: never a multi-line dump or a URL); `cause` is the typed error, with its exit code. */
  | { action: 'failed'; error: string; cause?: BaseError | undefined }

/** Options of `createFundingController`. */
export type FundingOptions = {
  monitor: BalanceMonitor
  topUp: TopUpFn
  /** The funding policy, whole; the controller reads its runway threshold (the window is the top-up's). */
  policy: Pick<FundingPolicy, 'minRunwayHours'>
  now?: (() => number) | undefined
  onOutcome?: ((outcome: FundingOutcome, request: TopUpRequest) => void) | undefined
  /** The key's name, for telemetry. */
  name?: string | undefined
}

/**
 * The self-funding trigger, in code and outside the model's control: when the monitor reports runway below
 * `policy.minRunwayHours` (or the key is exhausted, or a call got a 402), it runs the injected top-up, then
 * refreshes the monitor. Concurrent triggers share one attempt. It keeps no window of its own: the top-up
 * enforces the policy's funding window (once, across processes), and a refusal comes back as `refused`.
 *
 * @example
 * ```ts
 * const funding = createFundingController({ monitor, topUp: createWalletTopUp({ wallet, policy }), policy })
 * funding.attach() // react to monitor events
 * const outcome = await funding.maybeTopUp('402', { force: true })
 * ```
 */
export function createFundingController(options: FundingOptions) {
  const now = options.now ?? Date.now
  let inFlight: Promise<FundingOutcome> | undefined
  const history: Array<{ at: number; request: TopUpRequest; outcome: FundingOutcome }> = []

  async function attempt(request: TopUpRequest): Promise<FundingOutcome> {
    const at = now()
    let outcome: FundingOutcome
    try {
      const r = await options.topUp(request)
      outcome = r.ok ? { action: 'topped_up', summary: r.summary } : { action: 'refused', refusal: r.refusal }
    } catch (err) {
      outcome =
        err instanceof BaseError
          ? { action: 'failed', error: err.shortMessage, cause: err }
          : { action: 'failed', error: (err instanceof Error ? err.message : String(err)).split('\n')[0]! }
    }
    if (outcome.action === 'topped_up') await options.monitor.refresh()
    history.push({ at, request, outcome })
    recordFunding(options.name ?? 'unknown', outcome.action)
    options.onOutcome?.(outcome, request)
    return outcome
  }

  /**
   * Tops up if needed. `force` skips the runway check (402, exhausted, a tool request); the top-up's funding
   * window still applies (it refuses inside it).
   */
  function maybeTopUp(reason: string, o: { force?: boolean } = {}): Promise<FundingOutcome> {
    if (inFlight) return inFlight
    const s: BalanceSnapshot = options.monitor.snapshot()
    // A top-up lengthens the account's runway, not a key's own limit: that is what the threshold is about.
    if (!o.force && s.accountRunwayHours >= options.policy.minRunwayHours) return Promise.resolve({ action: 'not_needed' })
    inFlight = attempt({ reason, runwayHours: s.runwayHours, spendable: s.spendable }).finally(() => (inFlight = undefined))
    return inFlight
  }

  return {
    maybeTopUp,
    /** Subscribes to the monitor: `low`, `critical` and `exhausted` trigger a top-up attempt. Returns an unsubscribe. */
    attach(): () => void {
      const offs = [
        options.monitor.on('low', () => void maybeTopUp('runway')),
        options.monitor.on('critical', () => void maybeTopUp('runway')),
        options.monitor.on('exhausted', () => void maybeTopUp('exhausted', { force: true })),
      ]
      return () => offs.forEach((off) => off())
    },
    history: () => [...history],
  }
}

/** A controller as returned by `createFundingController`. */
export type FundingController = ReturnType<typeof createFundingController>
