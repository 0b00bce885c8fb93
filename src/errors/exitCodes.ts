/**
 * Process exit codes by class of failure, so that cron, systemd and scripts can tell what went wrong.
 * Every `BaseError` carries one (`err.exitCode`); the CLI exits with it.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | any other failure |
 * | 2 | usage: unknown or repeated flag, bad flag value, unknown command |
 * | 3 | configuration: a bad environment variable or config/state file |
 * | 4 | refused by the spend policy (cap, allowlist, funding window, slippage) |
 * | 5 | network: the chain RPC or the Venice API could not be reached |
 * | 6 | insufficient funds or balance (on chain, or Venice Diem/USD), or a target that capital cannot reach |
 * | 130 | stopped by SIGINT/SIGTERM before the work was done (what was done is said on stderr), or a forced exit |
 *
 * @example
 * ```ts
 * import { ExitCode } from './exitCodes.js'
 * process.exitCode = ExitCode.policy // 4
 * ```
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  config: 3,
  policy: 4,
  network: 5,
  funds: 6,
  interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
