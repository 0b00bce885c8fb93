/**
 * Venice blocks a *user* (every key of one account) for 30 s once it has had more than 20 failed requests
 * in 30 s. A failure budget is the client's side of that rule: every limiter of one wallet records its
 * failures in one budget and holds back before the account can be blocked.
 */

/**
 * The port a budget implements. In-process now (`createFailureBudget`); fleet mode can back it with
 * Postgres (a row per failure, `count(*) where at > now() - 30 s`, in-flight rows per process), which is
 * why every method may be async.
 */
export type FailureBudget = {
  /**
   * Asks to send one request at `now`. Returns 0 when it may go (it is then counted in flight until
   * `settle`), else how long to wait before asking again (ms).
   */
  admit(now: number): number | Promise<number>
  /** Reports the outcome of an admitted request (`failed`: non-success status or no answer). */
  settle(at: number, failed: boolean): void | Promise<void>
  /** Records a failure of a request that was not admitted through a limiter (e.g. a REST call). */
  record(at: number): void | Promise<void>
}

/** Options of `createFailureBudget`. */
export type FailureBudgetOptions = {
  /** Failures allowed per window before holding back. Default 15 (Venice blocks after 20: a margin for other processes). */
  maxFailures?: number | undefined
  /** The breaker's window. Default 30 s. */
  windowMs?: number | undefined
  /** Slack after the oldest failure leaves the window (clock skew). Default 25 ms. */
  marginMs?: number | undefined
  /** How long to wait before asking again while requests in flight could still fail. Default 100 ms. */
  pollMs?: number | undefined
}

/**
 * An in-memory failure budget: a sliding window of failure times plus the requests in flight. With no
 * recent failure, requests go freely; once one has failed, requests in flight count as possible failures,
 * so failures + in flight never pass `maxFailures` (a failing stretch cannot overshoot the breaker).
 *
 * @example
 * ```ts
 * const budget = createFailureBudget({ maxFailures: 15 })
 * if ((await budget.admit(Date.now())) === 0) budget.settle(Date.now(), true)
 * ```
 */
export function createFailureBudget(options: FailureBudgetOptions = {}): FailureBudget & { recent(now: number): number } {
  const max = options.maxFailures ?? 15
  const windowMs = options.windowMs ?? 30_000
  const margin = options.marginMs ?? 25
  const poll = options.pollMs ?? 100
  const failures: number[] = []
  let inFlight = 0
  const prune = (now: number) => {
    while (failures.length && failures[0]! <= now - windowMs) failures.shift()
  }
  const record = (at: number) => {
    failures.push(at)
    failures.sort((a, b) => a - b)
  }
  return {
    admit(now) {
      prune(now)
      if (failures.length >= max) return failures[failures.length - max]! + windowMs - now + margin
      if (failures.length > 0 && failures.length + inFlight >= max) return poll
      inFlight++
      return 0
    },
    settle(at, failed) {
      inFlight = Math.max(0, inFlight - 1)
      if (failed) record(at)
    },
    record,
    /** Failures still inside the window. */
    recent(now) {
      prune(now)
      return failures.length
    },
  }
}

const perAccount = new Map<string, FailureBudget>()

/**
 * The one budget of an account (wallet address, case-insensitive) in this process: every runner, host and
 * limiter of that wallet shares it.
 *
 * @example
 * ```ts
 * const budget = accountFailureBudget(wallet.address)
 * createRunner({ baseURL, keys, failureBudget: budget })
 * ```
 */
export function accountFailureBudget(account: string, options?: FailureBudgetOptions): FailureBudget {
  const id = account.toLowerCase()
  let budget = perAccount.get(id)
  if (!budget) perAccount.set(id, (budget = createFailureBudget(options)))
  return budget
}
