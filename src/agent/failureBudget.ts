/**
 * Venice blocks a *user* (every key of one account) for 30 s once it has had more than 20 failed requests
 * in 30 s. A failure budget is the client's side of that rule: every limiter of one wallet records its
 * failures in one budget and holds back before the account can be blocked.
 */

/**
 * The port a budget implements. In-process now (`createFailureBudget`); fleet mode can back it with
 * Postgres (a row per failure, `count(*) where at > now() - 30 s`), which is why both methods may be async.
 */
export type FailureBudget = {
  /** Records one non-success response (or a request that got no answer) at `at` (ms). */
  record(at: number): void | Promise<void>
  /** How long a new request must wait (ms) so the account stays under the breaker; 0 = go now. */
  waitMs(now: number): number | Promise<number>
}

/** Options of `createFailureBudget`. */
export type FailureBudgetOptions = {
  /** Failures allowed per window before holding back. Default 15 (Venice blocks after 20: a margin for other processes and for requests in flight). */
  maxFailures?: number | undefined
  /** The breaker's window. Default 30 s. */
  windowMs?: number | undefined
  /** Slack after the oldest failure leaves the window (clock skew). Default 25 ms. */
  marginMs?: number | undefined
}

/**
 * An in-memory failure budget (a sliding window of failure times).
 *
 * @example
 * ```ts
 * const budget = createFailureBudget({ maxFailures: 15 })
 * budget.record(Date.now())
 * budget.waitMs(Date.now()) // 0 until the 15th failure within 30 s
 * ```
 */
export function createFailureBudget(options: FailureBudgetOptions = {}): FailureBudget & { recent(now: number): number } {
  const max = options.maxFailures ?? 15
  const windowMs = options.windowMs ?? 30_000
  const margin = options.marginMs ?? 25
  const failures: number[] = []
  const prune = (now: number) => {
    while (failures.length && failures[0]! <= now - windowMs) failures.shift()
  }
  return {
    record(at) {
      failures.push(at)
      failures.sort((a, b) => a - b)
    },
    waitMs(now) {
      prune(now)
      return failures.length >= max ? failures[failures.length - max]! + windowMs - now + margin : 0
    },
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
 * createRunner({ baseURL, keys, limiter: { failureBudget: budget } })
 * ```
 */
export function accountFailureBudget(account: string, options?: FailureBudgetOptions): FailureBudget {
  const id = account.toLowerCase()
  let budget = perAccount.get(id)
  if (!budget) perAccount.set(id, (budget = createFailureBudget(options)))
  return budget
}
