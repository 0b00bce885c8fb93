/**
 * Shared plumbing of the money commands (swap, stake, claim, unstake, diem): open the configured
 * wallet, run one action under a spinner that shows the tx hash, print text or one JSON line with
 * amounts as decimal strings. Errors propagate to the single handler in `main.ts`.
 */
import { readEnv } from '../config/env.js'
import type { Wallet } from '../wallet/createWallet.js'
import { openWallet } from '../runtime/openWallet.js'
import { parseAmount } from '../wallet/amounts.js'
import { describePlannedStep, type PlannedStep } from '../wallet/send/plannedStep.js'
import { CLIError } from './CLIError.js'
import { printJson, withSpinner } from './output.js'
import { formatAmount } from './format.js'
import { getLogger } from '../util/logger.js'
import { presentable } from '../util/presentable.js'

/** `--json` and `--dry-run`, shared by every money command. */
export const moneyArgs = {
  json: { type: 'boolean', description: 'Print one JSON line (amounts as decimal strings)', default: false },
  'dry-run': { type: 'boolean', description: 'Simulate and print what would be sent; send nothing', default: false },
} as const

export { presentable }

/** Parses a required amount flag. */
export function amountFlag(value: string | undefined, flag: string, symbol: string): bigint {
  if (value === undefined || value === '')
    throw new CLIError(`${flag} is required.`, { metaMessages: [`e.g. ${flag} 0.05 (${symbol})`], code: 'CLI_MISSING_FLAG' })
  return parseAmount(value, { symbol, field: flag })
}

/**
 * Runs one wallet action for a command.
 *
 * @example
 * ```ts
 * await runMoneyCommand(args, 'Swapping', (wallet) => swapEthForVvv(wallet, { amountIn }), (r) => `Swapped … (tx ${r.hash})`)
 * ```
 */
export async function runMoneyCommand<T>(
  args: { json: boolean; 'dry-run': boolean },
  label: string,
  action: (wallet: Wallet) => Promise<T>,
  text: (result: T) => string,
  /** What `--json` prints, before `presentable` (which reads bigints as 18-decimal amounts): the result by default. */
  json: (result: T) => unknown = (result) => result,
): Promise<void> {
  const env = readEnv()
  const result = await withSpinner(
    args['dry-run'] ? `${label} (dry run)` : label,
    async (update) => {
      const wallet = await openWallet(env, {
        dryRun: args['dry-run'],
        hooks: { afterBroadcast: (step) => update(`${step.label} sent, waiting for its receipt`, { step: step.label, hash: step.hash }) },
      })
      return action(wallet)
    },
    { json: args.json },
  )
  const r = result as { status?: string; hash?: string; hashes?: string[] } | undefined
  getLogger('wallet').debug('action finished', { action: label, dryRun: args['dry-run'], status: r?.status, hash: r?.hash, hashes: r?.hashes })
  if (args.json) printJson({ dryRun: args['dry-run'], ...(presentable(json(result)) as object) })
  else process.stdout.write(`${args['dry-run'] ? '[dry run] ' : ''}${text(result)}\n${args['dry-run'] ? planLines(result) : ''}`)
}

/** Dry run: one line per transaction the action would send, when its result lists `steps`. */
function planLines(result: unknown): string {
  const steps = (result as { steps?: PlannedStep[] } | undefined)?.steps
  return steps?.length ? `${steps.map((s) => `  ${describePlannedStep(s)}\n`).join('')}` : ''
}

/** Formats an 18-decimal amount for text output (rounded: see `format.ts`). */
export const fmt = (v: bigint | undefined): string => formatAmount(v ?? 0n)
