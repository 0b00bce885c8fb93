import { ExitCode } from '../../errors/exitCodes.js'
import { defineCommand } from 'citty'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { agentNames, listAgents, loadAgent, type ModelAgent, type ScriptAgent } from '../../registry/index.js'
import type { RunResult } from '../../agent/runAgent.js'
import { readEnv, type Env } from '../../config/env.js'
import type { AgentHost, HostEvent } from '../../host/createAgentHost.js'
import { firstIntervalRun, runSchedule, ScheduleError, timingOf, type ScheduleRun } from '../../host/scheduler.js'
import { describeTopUp, finishInterruptedTopUp } from '../../host/walletTopUp.js'
import type { Wallet } from '../../wallet/createWallet.js'
import { openWallet } from '../../runtime/openWallet.js'
import { decideRunRail, runRailJson, type RunRail } from '../../runtime/runRail.js'
import { fundingPolicyFromEnv } from '../../agent/fundingPolicy.js'
import type { PaymentRail } from '../../agent/fundingRail.js'
import { handleShutdown } from '../../util/shutdown.js'
import { CLIConfigError, CLIError } from '../CLIError.js'
import { optionalNumberFlag } from '../flags.js'
import { printJson } from '../output.js'
import { presentable } from '../walletCommand.js'
import { formatNumber } from '../format.js'
import { cliHost } from '../cliHost.js'
import { socialRunner } from './runSocialBot.js'
import { assertInstalled, X402_FEATURE, X402_PACKAGES } from '../../util/optionalDependency.js'
import { x402ModelRunner } from '../runX402.js'

/**
 * `gondola run <agent>`: opens the configured wallet and key store, hosts the agent on its own limited key, runs
 * it once (or on its schedule), and prints each tool call, the answer, funding events and a cost line.
 * Script agents (diem-autopilot) run their deterministic pass instead, under the spend policy.
 */
export default defineCommand({
  meta: { name: 'run', description: 'Run an agent from agents/ once, or on its schedule (--schedule, --every)' },
  args: {
    agent: {
      type: 'positional',
      description: 'Agent name (see --list: ./agents, GONDOLA_AGENTS_DIR, shipped) or a path to an agent file (.ts, .js, .mjs, .json)',
      required: false,
    },
    prompt: { type: 'string', description: "User prompt (default: the agent's own; the social bot's post topic)" },
    'max-steps': { type: 'string', description: 'Model calls per run' },
    'budget-diem': { type: 'string', description: 'Stop a run before its estimated spend exceeds this many Diem' },
    schedule: { type: 'boolean', description: "Keep running on the agent's schedule (everySeconds or cron) until Ctrl-C (or --runs)", default: false },
    every: { type: 'string', description: 'Run every N seconds (implies --schedule)' },
    runs: { type: 'string', description: 'With --schedule/--every: stop after N runs' },
    queue: {
      type: 'boolean',
      description:
        'Fleet mode: submit the run to the Postgres queue (GONDOLA_DATABASE_URL) for `gondola worker` instead of running here; with --every/--cron/--schedule, store the schedule',
      default: false,
    },
    cron: { type: 'string', description: 'With --queue: schedule on this cron expression (UTC), e.g. "*/15 * * * *"' },
    pay: {
      type: 'string',
      description:
        "How inference is paid and topped up: 'diem' (the agent's API key) or 'x402' (USDC credits, Sign-In-With-X, no API key). Default: funding.rail (GONDOLA_FUNDING_RAIL; 'auto' picks the cheaper for the agent's measured usage)",
    },
    list: { type: 'boolean', description: 'List the agents and exit', default: false },
    json: { type: 'boolean', description: 'Print one JSON line per run', default: false },
    character: { type: 'string', description: 'social-bot: speak as this Venice character (slug; see gondola characters list)' },
    persona: { type: 'string', description: 'social-bot: an ElizaOS character file or a Gondola persona file (JSON)' },
    'dry-run': { type: 'boolean', description: 'social-bot: compose and show the post; publish nothing (only the inference is spent)', default: false },
    'budget-diem-per-day': {
      type: 'string',
      description: 'social-bot: Diem it may spend per UTC day; then it waits for 00:00 UTC (default GONDOLA_SOCIAL_BUDGET_DIEM_PER_DAY)',
    },
  },
  async run({ args }) {
    if (args.list) return printAgentList(readEnv(), args.json)
    if (!args.agent) throw new CLIError('Which agent? Pass its name.', { metaMessages: [`Known agents: ${agentNames().join(', ')}`], code: 'CLI_MISSING_ARG' })
    const maxSteps = optionalNumberFlag(args['max-steps'], '--max-steps', { min: 1, max: 100, integer: true, example: '4' })
    const budgetDiem = optionalNumberFlag(args['budget-diem'], '--budget-diem', { min: 0, exclusiveMin: true, max: 1_000_000, example: '0.05' })
    const every = optionalNumberFlag(args.every, '--every', { min: 0, exclusiveMin: true, max: 31_536_000, example: '3600' })
    const runs = optionalNumberFlag(args.runs, '--runs', { min: 1, max: 1_000_000, integer: true, example: '3' })
    if (args.cron !== undefined && !args.queue)
      throw new CLIError('--cron needs --queue (queued schedules are cron; here use --every).', { code: 'CLI_BAD_FLAG_VALUE' })
    const budgetDiemPerDay = optionalNumberFlag(args['budget-diem-per-day'], '--budget-diem-per-day', {
      min: 0,
      exclusiveMin: true,
      max: 1_000_000,
      example: '0.5',
    })
    if (args.pay !== undefined && args.pay !== 'diem' && args.pay !== 'x402')
      throw new CLIError(`--pay must be diem or x402 (got ${JSON.stringify(args.pay)}).`, { code: 'CLI_BAD_FLAG_VALUE' })
    const env = readEnv()
    if (args.pay === 'x402' && (args.queue || args['budget-diem'] !== undefined))
      throw new CLIError('--pay x402 runs here, on USDC credits: it does not go with --queue or --budget-diem.', { code: 'CLI_BAD_FLAG' })
    if (args.queue && (args.character !== undefined || args.persona !== undefined || args['budget-diem-per-day'] !== undefined || args['dry-run']))
      throw new CLIError('--character, --persona, --budget-diem-per-day and --dry-run run here: they do not go with --queue.', { code: 'CLI_BAD_FLAG' })
    if (args.queue)
      return submitQueued(env, {
        agent: args.agent,
        prompt: args.prompt,
        maxSteps,
        budgetDiem,
        every,
        cron: args.cron,
        schedule: args.schedule,
        runs,
        json: args.json,
        pay: args.pay,
      })
    const agent = await loadAgent(args.agent, { agentsDir: env.GONDOLA_AGENTS_DIR })
    const social = agent.kind === 'model' && agent.name === 'social-bot'
    const socialOnly = (['character', 'persona', 'budget-diem-per-day'] as const)
      .filter((k) => args[k] !== undefined)
      .map((k) => `--${k}`)
      .concat(args['dry-run'] ? ['--dry-run'] : [])
    if (!social && socialOnly.length)
      throw new CLIError(`${socialOnly.join(', ')} ${socialOnly.length > 1 ? 'are' : 'is'} for social-bot, not "${agent.name}".`, {
        code: 'CLI_BAD_FLAG',
        exitCode: ExitCode.usage,
      })
    if (args.character !== undefined && args.persona !== undefined)
      throw new CLIError('Pass --character or --persona, not both.', { code: 'CLI_CONFLICTING_FLAGS' })
    if (args.character !== undefined && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(args.character))
      throw new CLIError(`--character "${args.character}" is not a Venice character slug.`, {
        metaMessages: ['A slug is lowercase letters, digits and dashes (see: gondola characters list).'],
        code: 'CLI_BAD_FLAG',
      })
    if (args.pay === 'x402' && (agent.kind !== 'model' || social))
      throw new CLIError(`--pay x402 is for model agents; "${agent.name}" is not one it can run.`, { code: 'CLI_BAD_FLAG' })
    // Before the wallet opens: a missing optional peer is a config error, named with its install command.
    if (args.pay === 'x402') assertInstalled(X402_PACKAGES, X402_FEATURE)
    const wallet = await openWallet(env)
    const rail = await runRailOf(agent, wallet, env, { pay: args.pay, budgetDiem, social })
    const out = (line: string) => process.stdout.write(`${line}\n`)
    // The first SIGINT/SIGTERM lets the run in hand finish its step and stops the schedule; a second forces exit 130.
    const shutdown = handleShutdown({ name: 'gondola run', finishing: 'the run in hand' })
    const signal = shutdown.signal
    try {
      const once: Once =
        agent.kind === 'script'
          ? scriptRunner(agent, wallet, env, args.json, out)
          : social
            ? await socialRunner(agent, wallet, env, {
                character: args.character,
                persona: args.persona,
                dryRun: args['dry-run'],
                budgetDiemPerDay,
                prompt: args.prompt,
                json: args.json,
                out,
              })
            : rail?.rail === 'x402'
              ? await x402ModelRunner(agent as ModelAgent, wallet, env, {
                  prompt: args.prompt,
                  maxSteps,
                  out: args.json ? () => {} : out,
                  report: (results, creditsUsd) => reportX402(agent.name, results, creditsUsd, rail, args.json, out),
                })
              : await modelRunner(agent, wallet, env, { prompt: args.prompt, maxSteps, budgetDiem, json: args.json, out, rail })
      try {
        if (!args.schedule && every === undefined) {
          await once.run(1, signal)
          if (shutdown.received) stoppedBySignal(shutdown.received, 1)
          return
        }
        const timing = scheduleOf(agent, every ?? (social ? env.GONDOLA_SOCIAL_EVERY_SECONDS : undefined))
        const when = timing.cron !== undefined ? `on cron "${timing.cron}" (${timing.timezone ?? 'UTC'})` : `every ${timing.everySeconds} s`
        // An interval job that keeps its last start (the social bot) resumes its rate after a restart.
        const lastStarted = timing.everySeconds !== undefined ? await once.lastStartedAt?.() : undefined
        const now = Date.now()
        const firstAt = timing.everySeconds !== undefined ? firstIntervalRun(lastStarted, now, timing.everySeconds * 1000) : now
        if (!args.json)
          out(
            `Running ${agent.name} ${when}${runs ? `, ${runs} times` : ' until Ctrl-C'}${firstAt > now ? `; first run at ${new Date(firstAt).toISOString()} (the last started at ${new Date(lastStarted!).toISOString()})` : ''}.`,
          )
        // A script that knows its last run (the autopilot) has a missed cron slot caught up once.
        const lastRunAt = agent.kind === 'script' ? agent.lastRunAt : undefined
        const catchUp = lastRunAt ? { lastRunAt: () => lastRunAt({ wallet, env }) } : undefined
        const report = await runSchedule(
          [{ name: agent.name, ...timing, catchUp, lastStartedAt: () => lastStarted, run: (tick) => once.run(tick.n, tick.signal) }],
          {
            maxRuns: runs,
            signal,
            onRun: (r: ScheduleRun) => void (r.ok || reportFailure(r, args.json, out)),
          },
        )
        if (!args.json) out(`Stopped after ${report.runs.length} run(s) (${report.stoppedBy}).`)
        if (shutdown.received)
          process.stderr.write(`gondola run: stopped by ${shutdown.received} after ${report.runs.length} run(s); nothing was left half-done.\n`)
      } finally {
        await once.close()
      }
    } finally {
      shutdown.dispose()
    }
  },
})

/**
 * The rail a model agent's run pays and tops up on, decided once here (`decideRunRail`); one stderr line says
 * which and why unless `--pay` said it. Script agents and the social bot run on the Diem key (undefined).
 */
async function runRailOf(
  agent: ModelAgent | ScriptAgent,
  wallet: Wallet,
  env: Env,
  o: { pay: string | undefined; budgetDiem: number | undefined; social: boolean },
): Promise<RunRail | undefined> {
  if (agent.kind !== 'model' || o.social) return undefined
  const setting = fundingPolicyFromEnv(env, agent.definition.funding).rail
  // --budget-diem caps a key run's Diem: it keeps the run on the Diem key, as --pay diem would.
  const byBudget = o.pay === undefined && o.budgetDiem !== undefined && setting !== 'diem'
  const pay = byBudget ? 'diem' : (o.pay as PaymentRail | undefined)
  const rail = await decideRunRail(env, wallet, { pay, setting, agent: agent.name })
  const why = byBudget ? `--budget-diem caps a key run; funding.rail is ${setting}` : rail.why
  if (o.pay === undefined && rail.decidedBy !== 'diem') process.stderr.write(`gondola run: ${agent.name} pays on ${rail.rail} — ${why}.\n`)
  return rail
}

/** A single run cut short by a signal: it finished its step, recorded it, and the command says so (exit 130). */
function stoppedBySignal(sig: NodeJS.Signals, runs: number): void {
  process.stderr.write(`gondola run: stopped by ${sig} after ${runs} run(s); the step in hand was finished and recorded.\n`)
  process.exitCode = ExitCode.interrupted
}

/** `gondola run <agent> --queue`: one run, or a stored schedule, on the fleet's queue; prints the job id. */
async function submitQueued(
  env: Env,
  o: {
    agent: string
    prompt?: string | undefined
    maxSteps?: number | undefined
    budgetDiem?: number | undefined
    every?: number | undefined
    cron?: string | undefined
    schedule: boolean
    runs?: number | undefined
    json: boolean
    pay?: string | undefined
  },
): Promise<void> {
  if (o.runs !== undefined) throw new CLIError('--runs does not apply to --queue: a queued schedule runs until removed.', { code: 'CLI_BAD_FLAG_VALUE' })
  if (o.cron !== undefined && o.every !== undefined) throw new CLIError('Pass --every or --cron, not both.', { code: 'CLI_BAD_FLAG_VALUE' })
  if (o.cron !== undefined && !/^\S+( \S+){4,5}$/.test(o.cron.trim()))
    throw new CLIError(`--cron "${o.cron}" is not a cron expression (5 fields: minute hour day month weekday).`, {
      metaMessages: ['e.g. --cron "*/15 * * * *"'],
      code: 'CLI_BAD_FLAG_VALUE',
    })
  // The name is checked here, where the submitter sees the error; the worker loads it again.
  const agent = await loadAgent(o.agent, { agentsDir: env.GONDOLA_AGENTS_DIR })
  // Fleet workers pay on the agent's Diem key: the x402 journal is a file, so no worker pays by x402 (or picks it).
  // (--pay diem, or --budget-diem, which caps a key run, keeps it on the key as it does here.)
  const rail = agent.kind === 'model' && o.pay !== 'diem' && o.budgetDiem === undefined ? fundingPolicyFromEnv(env, agent.definition.funding).rail : 'diem'
  if (rail === 'x402')
    throw new CLIConfigError(`"${agent.name}" pays on x402 (funding.rail / GONDOLA_FUNDING_RAIL), and queued runs pay on the fleet's Diem keys.`, {
      metaMessages: [`Run it here on x402: gondola run ${agent.name}. Or queue it on its Diem key: gondola run ${agent.name} --queue --pay diem`],
      code: 'CLI_RAIL_NOT_QUEUEABLE',
    })
  if (rail === 'auto')
    process.stderr.write(`gondola run: queued runs of ${agent.name} pay on its Diem key (funding.rail auto picks a rail only for runs here).\n`)
  const { openFleetFromEnv } = await import('../fleetContext.js')
  const fleet = await openFleetFromEnv(env, { command: 'gondola run --queue', supervise: false, max: 2 })
  try {
    const job = { agent: agent.name, prompt: o.prompt, maxSteps: o.maxSteps, budgetDiem: o.budgetDiem, submittedBy: 'gondola run --queue' }
    if (o.cron !== undefined || o.every !== undefined || o.schedule) {
      const timing = o.cron !== undefined ? undefined : scheduleOf(agent, o.every)
      const when =
        o.cron !== undefined
          ? { cron: o.cron.trim() }
          : timing!.cron !== undefined
            ? { cron: timing!.cron, timezone: timing!.timezone }
            : { everySeconds: timing!.everySeconds! }
      const s = await fleet.jobs.scheduleRun(job, when)
      if (o.json) return printJson({ scheduled: agent.name, cron: s.cron, queue: s.queue })
      return void process.stdout.write(`Scheduled ${agent.name} on cron "${s.cron}" (UTC): each tick is a queued run for any \`gondola worker\`.\n`)
    }
    const id = await fleet.jobs.submitRun(job)
    if (o.json) return printJson({ queued: agent.name, job: id })
    process.stdout.write(`Queued ${agent.name}: job ${id} (a \`gondola worker\` takes it; see gondola fleet status).\n`)
  } finally {
    await fleet.close()
  }
}

/** The agent's schedule (`--every` wins), or a CLI error saying what to pass. */
function scheduleOf(agent: ModelAgent | ScriptAgent, every: number | undefined) {
  try {
    return timingOf(agent.name, agent.kind === 'script' ? agent.schedule : agent.definition.schedule, { everySeconds: every })
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err
    throw new CLIError(`Agent "${agent.name}" has no schedule.`, { metaMessages: ['Pass --every <seconds>.'], code: 'CLI_NO_SCHEDULE' })
  }
}

type Once = {
  run: (n: number, signal: AbortSignal) => Promise<void>
  close: () => void | Promise<void> /** When the last scheduled run started (kept across restarts). */
  lastStartedAt?: () => Promise<number | undefined>
}

function scriptRunner(agent: ScriptAgent, wallet: Wallet, env: Env, json: boolean, out: (l: string) => void): Once {
  return {
    async run(n, signal) {
      const r = await agent.run({ wallet, env, signal })
      if (json) printJson({ agent: agent.name, kind: 'script', n, ...(presentable(r) as object) })
      else out(`${agent.name} #${n}: ${r.summary}${r.hashes.length ? `\n  tx ${r.hashes.join('\n  tx ')}` : ''}`)
    },
    close() {},
  }
}

async function modelRunner(
  agent: ModelAgent,
  wallet: Wallet,
  env: Env,
  o: {
    prompt?: string | undefined
    maxSteps?: number | undefined
    budgetDiem?: number | undefined
    json: boolean
    out: (l: string) => void
    rail: RunRail | undefined
  },
): Promise<Once> {
  const def = agent.definition
  let events: HostEvent[] = []
  const host: AgentHost = await cliHost(def, wallet, env, { tools: agent.tools, onEvent: (e) => events.push(e) })
  // What an interrupted top-up already paid for is finished before the first run (the funding window does not apply).
  const finished = await finishInterruptedTopUp({ wallet })
  if (finished) o.out(`⚡ finished an interrupted top-up: ${describeTopUp(finished)}`)
  return {
    async run(n, signal) {
      events = []
      const results = await agent.run(host, { prompt: o.prompt, maxSteps: o.maxSteps, budgetDiem: o.budgetDiem, signal })
      // A top-up the monitor started in the background finishes before we report (and before exit).
      await host.runner.key(def.name)?.funding?.maybeTopUp('runway')
      await host.ledger.flush()
      const last = results.at(-1)!
      const total = results.reduce(
        (s, r) => ({
          costDiem: s.costDiem + r.costDiem,
          costUsd: s.costUsd + r.costUsd,
          promptTokens: s.promptTokens + r.promptTokens,
          completionTokens: s.completionTokens + r.completionTokens,
        }),
        { costDiem: 0, costUsd: 0, promptTokens: 0, completionTokens: 0 },
      )
      if (results.some((r) => r.status === 'error')) process.exitCode = 1
      // A failed or refused top-up makes the run a failure with its documented code (policy 4, network 5, funds 6).
      const fundingError = results.find((r) => r.fundingError)?.fundingError
      if (fundingError) process.exitCode = fundingError.exitCode
      else if (last.status === 'insufficient_balance') process.exitCode = last.error?.exitCode ?? 1
      if (o.json) {
        printJson({
          agent: agent.name,
          kind: 'model',
          pay: 'diem',
          ...(o.rail ? { rail: runRailJson(o.rail) } : {}),
          n,
          status: last.status,
          output: last.output,
          runs: results.map(runJson),
          ...total,
          events: events.map((e) => presentable(e)),
        })
        return
      }
      for (const r of results) printRun(r, o.out)
      for (const e of events) o.out(eventLine(e))
      o.out(
        `cost: ${formatNumber(total.costDiem, { minFraction: 6 })} Diem + $${formatNumber(total.costUsd, { minFraction: 6 })} · ${total.promptTokens} in / ${total.completionTokens} out tokens · ${results.reduce((s, r) => s + r.steps, 0)} model call(s)`,
      )
    },
    close: () => host.close(),
  }
}

/** The results of an x402 run: each run as usual, then its cost in USD of credits and the credits left. */
function reportX402(
  agent: string,
  results: RunResult[],
  creditsUsd: number | undefined,
  rail: RunRail | undefined,
  json: boolean,
  out: (l: string) => void,
): void {
  const costUsd = results.reduce((s, r) => s + r.costUsd + r.costDiem, 0)
  if (json) {
    printJson({
      agent,
      kind: 'model',
      pay: 'x402',
      ...(rail ? { rail: runRailJson(rail) } : {}),
      status: results.at(-1)!.status,
      runs: results.map(runJson),
      costUsd,
      creditsUsd,
    })
    return
  }
  for (const r of results) printRun(r, out)
  out(`cost: $${formatNumber(costUsd, { minFraction: 6 })} of x402 credits · credits left $${creditsUsd === undefined ? '?' : formatNumber(creditsUsd)}`)
}

type ToolCallLine = { name: string; arguments: string; result: string | undefined }

/** The tool calls of a run, each with the result the model got back. */
function toolCallsOf(messages: readonly ChatCompletionMessageParam[]): ToolCallLine[] {
  const results = new Map(messages.flatMap((m) => (m.role === 'tool' ? [[m.tool_call_id, String(m.content)] as const] : [])))
  return messages
    .flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
    .flatMap((c) => (c.type === 'function' ? [{ name: c.function.name, arguments: c.function.arguments, result: results.get(c.id) }] : []))
}

function runJson(r: RunResult) {
  return {
    status: r.status,
    model: r.model,
    steps: r.steps,
    output: r.output,
    toolCalls: toolCallsOf(r.messages),
    toolErrors: r.toolErrors,
    costDiem: r.costDiem,
    costUsd: r.costUsd,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    ...(r.error ? { error: { name: r.error.name, message: r.error.shortMessage } } : {}),
    ...(r.fundingError ? { fundingError: { name: r.fundingError.name, message: r.fundingError.shortMessage, exitCode: r.fundingError.exitCode } } : {}),
  }
}

function printRun(r: RunResult, out: (l: string) => void): void {
  for (const c of toolCallsOf(r.messages)) {
    out(`→ ${c.name}(${c.arguments})`)
    out(`← ${clip(c.result ?? '(no result)', 300)}`)
  }
  if (r.output) out(`answer: ${r.output}`)
  if (r.status !== 'completed') out(`status: ${r.status}${r.error ? ` — ${r.error.shortMessage}` : ''}`)
  if (r.fundingError) out(`funding failed: ${r.fundingError.shortMessage}`)
}

function eventLine(e: HostEvent): string {
  if (e.type === 'topUp') return `⚡ top-up (${e.reason}): ${describeTopUp(e.result)}`
  if (e.type === 'rotated') return `↻ key rotated for ${e.agent} (${e.reason}): new key ${e.newKeyId.slice(0, 8)}`
  const o = e.outcome
  return `funding (${e.agent}): ${o.action}${o.action === 'refused' ? ` — ${o.refusal}` : o.action === 'failed' ? ` — ${o.error}` : ''}`
}

function reportFailure(r: ScheduleRun, json: boolean, out: (l: string) => void): void {
  const message = r.error instanceof Error ? ((r.error as { shortMessage?: string }).shortMessage ?? r.error.message) : String(r.error)
  process.exitCode = 1
  if (json) printJson({ n: r.n, error: { name: r.error instanceof Error ? r.error.name : 'Error', message } })
  else out(`run #${r.n} failed: ${message}`)
}

async function printAgentList(env: Env, json: boolean): Promise<void> {
  const rows = await Promise.all(
    listAgents({ agentsDir: env.GONDOLA_AGENTS_DIR }).map(async ({ name, source, load }) => {
      try {
        const a = await load()
        return {
          name,
          kind: a.kind,
          source,
          description: a.kind === 'script' ? a.description : (a.definition.description ?? ''),
          tools: a.kind === 'model' ? a.definition.tools : [],
        }
      } catch (err) {
        // One broken file does not hide the others: it is listed with what is wrong with it.
        return {
          name,
          kind: 'invalid' as const,
          source,
          description: err instanceof Error ? ((err as { shortMessage?: string }).shortMessage ?? err.message) : String(err),
          tools: [],
        }
      }
    }),
  )
  if (json) return printJson({ agents: rows })
  for (const r of rows) process.stdout.write(`${r.name.padEnd(22)} ${r.kind.padEnd(7)} ${r.source.padEnd(24)} ${r.description}\n`)
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}
