import { writeFile } from 'node:fs/promises'
import { defineCommand } from 'citty'
import { formatEther } from 'viem'
import { autopilotConfig } from '../../runtime/autopilotConfig.js'
import { planRows, planTable } from '../../autopilot/format.js'
import { readHistory } from '../../autopilot/history.js'
import { runAutopilotPass, shortError, type AutopilotPassResult } from '../../autopilot/pass.js'
import { dailyReport, dailyTable } from '../../autopilot/report.js'
import { withInterruptedPasses } from '../../autopilot/recover.js'
import { renderAutopilotChart } from '../../autopilot/chart.js'
import { autopilotStore } from '../../autopilot/store.js'
import { runUnwindPass, unwindTable, type UnwindPassResult } from '../../autopilot/unwindPass.js'
import { ledgerPathIn, readLedger } from '../../agent/ledger.js'
import { parseRails, parseHorizon, parseTarget } from '../../autopilot/fromEnv.js'
import { compareRailsNow } from '../../autopilot/railPass.js'
import { railsJson, railsTable } from '../../autopilot/railsFormat.js'
import { usageFromLedger } from '../../autopilot/usage.js'
import { readEnv } from '../../config/env.js'
import { openWallet } from '../../runtime/openWallet.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { handleShutdown } from '../../util/shutdown.js'
import { CLIError } from '../CLIError.js'
import { printJson, withSpinner } from '../output.js'

const targetArg = {
  target: { type: 'string', description: 'Diem per day to hold (default GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY)' },
  horizon: {
    type: 'string',
    description: 'Count the VVV yield that minting gives up over this many days when choosing, e.g. 30d (default GONDOLA_AUTOPILOT_HORIZON_DAYS, 0)',
  },
} as const
const jsonArg = { json: { type: 'boolean', description: 'Print one JSON document', default: false } } as const
const unwindArg = {
  unwind: {
    type: 'boolean',
    description: 'Release the capital above the target: unstake DIEM, burn it, unstake the sVVV (with the cooldowns)',
    default: false,
  },
} as const

/**
 * One pass, printed as the plan table (text) or one JSON document; a pass short of its target exits 6. The first
 * SIGINT/SIGTERM finishes the step in hand, records the pass and exits 130 saying what was sent.
 */
async function pass(
  args: { target?: string | undefined; horizon?: string | undefined; json: boolean; unwind?: boolean | undefined },
  mode: 'run' | 'plan',
): Promise<void> {
  const env = readEnv()
  const wallet = await openWallet(env)
  const config = await autopilotConfig(env, wallet, { target: args.target, horizon: args.horizon })
  if (args.unwind) {
    const u = await withSpinner(mode === 'plan' ? 'Planning the unwind' : 'Unwinding', () => runUnwindPass({ ...config, mode }), { json: args.json })
    return args.json ? printJson(unwindJson(u)) : void process.stdout.write(unwindTable(u))
  }
  const shutdown = handleShutdown({ name: `gondola autopilot ${mode}` })
  let r: AutopilotPassResult
  try {
    r = await withSpinner(mode === 'plan' ? 'Planning' : 'Autopilot pass', () => runAutopilotPass({ ...config, mode, signal: shutdown }), { json: args.json })
  } finally {
    shutdown.dispose()
  }
  if (args.json) printJson(passJson(r))
  else
    process.stdout.write(
      `${mode === 'plan' ? '[dry run] nothing sent\n' : ''}${planTable(r.plan)}${r.execution ? `sent ${r.execution.hashes.length} tx${r.execution.hashes.length ? `:\n  ${r.execution.hashes.join('\n  ')}` : ''}\n` : ''}${mode === 'run' && r.message !== r.plan.message ? `${r.message}\n` : ''}`,
    )
  if (r.stopped) {
    process.stderr.write(
      `gondola autopilot run: stopped by ${shutdown.received ?? 'signal'} after ${r.execution!.outcomes.length} of ${r.plan.steps.length} steps; ${r.execution!.hashes.length} tx sent, all recorded in the history.\n`,
    )
    process.exitCode = ExitCode.interrupted
    return
  }
  if (!r.reached) throw shortError(r)
}

/** The pass as JSON: the same table rows, amounts as decimal strings. */
function passJson(r: AutopilotPassResult) {
  const s = r.plan.shortfall
  return {
    mode: r.mode,
    target: formatEther(r.plan.target),
    before: formatEther(r.plan.before),
    after: formatEther(r.projectedAfter),
    reached: r.reached,
    steps: planRows(r.plan),
    totalCostEth: formatEther(r.plan.ethCost),
    vvvForgonePerDay: formatEther(r.plan.vvvForgonePerDay),
    horizonDays: r.plan.horizonDays,
    shortfall: s
      ? {
          diemPerDay: formatEther(s.diemPerDay),
          eth: s.eth === undefined ? null : formatEther(s.eth),
          vvv: s.vvv === undefined ? null : formatEther(s.vvv),
          bound: s.bound,
        }
      : null,
    sent: r.execution?.hashes ?? [],
    today: r.measurement.venice ?? null,
    poolObservation: r.measurement.observation ?? null,
    runway: r.runway ?? null,
    excess: r.excess
      ? {
          diemPerDay: formatEther(r.excess.diemPerDay),
          diem: formatEther(r.excess.diem),
          svvvLocked: formatEther(r.excess.svvvLocked),
          svvv: formatEther(r.excess.svvv),
        }
      : null,
    message: r.message,
    stopped: r.stopped,
  }
}

/** The unwind as JSON, amounts as decimal strings. */
function unwindJson(u: UnwindPassResult) {
  const e = u.plan.excess
  return {
    mode: u.mode,
    excess: e ? { diemPerDay: formatEther(e.diemPerDay), diem: formatEther(e.diem), svvvLocked: formatEther(e.svvvLocked), svvv: formatEther(e.svvv) } : null,
    steps: u.plan.steps.map((s) => ({ action: s.action, amount: formatEther(s.amount), unit: s.unit, label: s.label })),
    waiting: u.plan.waiting.map((w) => ({ what: w.what, until: new Date(w.until).toISOString() })),
    sent: u.sent?.hashes ?? [],
    message: u.message,
  }
}

const run = defineCommand({
  meta: { name: 'run', description: 'One autopilot pass: plan the cheapest way to the Diem/day target and carry it out (exit 6 when short)' },
  args: { ...targetArg, 'dry-run': { type: 'boolean', description: 'Print the plan; send nothing', default: false }, ...unwindArg, ...jsonArg },
  run: ({ args }) => pass(args, args['dry-run'] ? 'plan' : 'run'),
})

const railArgs = {
  rails: {
    type: 'string',
    description: 'Compare the rails instead: diem (hold compute by staking), x402 (pay per call in USDC credits), or diem,x402 for both and the cheaper mix',
  },
  usage: { type: 'string', description: 'With --rails: Diem per day to cover (default: measured from the spend ledger over the last 7 days)' },
} as const

/**
 * `plan --rails diem,x402 --horizon 30d`: both rails priced for the measured usage, and the cheaper mix (the
 * figures are `compareRails`'s; this prints them). The horizon defaults to 30 days here.
 */
async function railsPlan(args: { rails: string; usage?: string | undefined; horizon?: string | undefined; json: boolean }): Promise<void> {
  const rails = parseRails(args.rails)
  const horizonDays = args.horizon === undefined ? 30 : parseHorizon(args.horizon)
  if (horizonDays <= 0) throw new CLIError('--horizon must be more than 0 days to compare rails, such as 30d.', { code: 'CLI_BAD_FLAG' })
  const usageDiemPerDay = args.usage === undefined ? undefined : parseTarget(args.usage, '--usage')
  const env = readEnv()
  const wallet = await openWallet(env)
  const config = await autopilotConfig(env, wallet, { horizon: args.horizon })
  let usage = usageDiemPerDay
  if (usage === undefined) {
    const measured = usageFromLedger(await readLedger(ledgerPathIn(env.GONDOLA_STATE_DIR)), { now: Date.now(), days: 7 })
    if (measured.calls === 0)
      throw new CLIError('No model calls in the spend ledger over the last 7 days to measure usage from.', {
        metaMessages: ['Pass --usage <Diem per day>, such as --usage 2, or run an agent first.'],
        code: 'CLI_BAD_FLAG',
      })
    usage = measured.diemPerDay
  }
  const cmp = await withSpinner('Pricing both rails', () => compareRailsNow({ ...config, usageDiemPerDay: usage, horizonDays, rails }), { json: args.json })
  if (args.json) printJson(railsJson(cmp))
  else process.stdout.write(`[dry run] nothing sent\n${railsTable(cmp)}`)
}

const plan = defineCommand({
  meta: {
    name: 'plan',
    description: 'Print the plan as a table (action, cost, Diem/day gained, Diem/day per ETH); send nothing. --rails compares staking with x402 credits',
  },
  args: { ...targetArg, ...unwindArg, ...railArgs, ...jsonArg },
  run: ({ args }) => {
    if (args.rails !== undefined) {
      if (args.unwind || args.target !== undefined)
        throw new CLIError('--rails prices the usage (--usage), not a target: drop --target and --unwind.', { code: 'CLI_BAD_FLAG' })
      return railsPlan({ rails: args.rails, usage: args.usage, horizon: args.horizon, json: args.json })
    }
    if (args.usage !== undefined) throw new CLIError('--usage goes with --rails (e.g. --rails diem,x402 --usage 2).', { code: 'CLI_BAD_FLAG' })
    return pass(args, 'plan')
  },
})

const report = defineCommand({
  meta: { name: 'report', description: 'Daily table of allowance, spend, utilisation, actions and runway; --out writes the chart (SVG)' },
  args: { out: { type: 'string', description: 'Write the chart here (.svg)' }, days: { type: 'string', description: 'Only the last N days' }, ...jsonArg },
  async run({ args }) {
    const env = readEnv()
    const wallet = await openWallet(env)
    const days = args.days === undefined ? undefined : Number(args.days)
    if (days !== undefined && (!Number.isInteger(days) || days < 1))
      throw new CLIError(`--days must be a whole number of days ≥ 1, got "${args.days}".`, { code: 'CLI_BAD_FLAG' })
    if (args.out !== undefined && !args.out.endsWith('.svg')) throw new CLIError(`--out must name an .svg file, got "${args.out}".`, { code: 'CLI_BAD_FLAG' })
    const store = autopilotStore({ stateDir: env.GONDOLA_STATE_DIR, chainId: wallet.chainId, address: wallet.address })
    // Passes cut short before they wrote their line are rebuilt from the wallet journal: every tx is counted.
    const rows = dailyReport(withInterruptedPasses(await readHistory(store.historyPath), wallet.journal.runs())).slice(-(days ?? 0))
    if (args.out) await writeFile(args.out, renderAutopilotChart(rows))
    if (args.json) return printJson({ days: rows, chart: args.out ?? null })
    process.stdout.write(rows.length ? dailyTable(rows) : 'No autopilot passes yet (gondola autopilot run).\n')
    if (args.out) process.stdout.write(`chart: ${args.out}\n`)
  },
})

/** `gondola autopilot run|plan|report`: hold a Diem-per-day target at the least capital, and show it. */
export default defineCommand({
  meta: { name: 'autopilot', description: 'Diem autopilot: hold a Diem-per-day target at the least capital (run, plan, report)' },
  subCommands: { run, plan, report },
})
