import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { Cron } from 'croner'
import { z } from 'zod'
import { BaseError } from '../errors/BaseError.js'
import type { AnyTool } from '../tools/defineTool.js'
import type { VeniceParameters } from './callModel.js'
import { fundingRailSchema } from './fundingRail.js'

/**
 * An agent as data: what `agents/<name>` files export and what `gondola run` loads. Tools are named
 * (resolved by the runner from a registry of built-in and custom tools) so a definition stays plain JSON.
 */
export const agentDefinitionSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
      .describe('Agent id, used in ledgers and logs.'),
    description: z.string().optional().describe('What the agent is for.'),
    system: z.string().optional().describe('System prompt.'),
    prompt: z.string().optional().describe('Default user prompt when a run is started without one.'),
    model: z.string().optional().describe('Model id, feature-suffixed id, or trait (e.g. "function_calling_default").'),
    characterSlug: z.string().optional().describe('Venice character to speak as; its model is used when `model` is unset.'),
    persona: z
      .object({ name: z.string(), bio: z.array(z.string()).default([]), style: z.array(z.string()).default([]), examples: z.array(z.string()).default([]) })
      .optional()
      .describe('Eliza-style persona folded into the system prompt when no character is used.'),
    tools: z.array(z.string()).default([]).describe('Names of tools from the runner registry.'),
    toolModules: z
      .array(z.string().min(1))
      .optional()
      .describe('Modules (paths relative to the agent file) whose exported `defineTool` tools this agent may name in `tools`.'),
    veniceParameters: z.record(z.string(), z.unknown()).optional().describe('Extra venice_parameters for every call.'),
    maxSteps: z.number().int().positive().default(10).describe('Model calls per run.'),
    budget: z.object({ diemPerRun: z.number().positive().optional() }).default({}).describe('Spend limits.'),
    funding: z
      .object({ minRunwayHours: z.number().positive(), cooldownSeconds: z.number().int().min(0), rail: fundingRailSchema })
      .partial()
      .default({})
      .describe("Self-funding thresholds and the rail ('diem', 'x402' or 'auto'); unset values come from GONDOLA_FUNDING_* settings."),
    schedule: z
      .object({
        everySeconds: z.number().int().positive().optional().describe('Run at once, then every N seconds.'),
        cron: z.string().optional().describe('Standard 5-field cron (minute hour day-of-month month day-of-week), e.g. "5 0 * * *".'),
        timezone: z.string().optional().describe('IANA time zone the cron expression is read in; default UTC.'),
      })
      .optional()
      .describe('When the runner starts runs on its own: everySeconds or cron, not both.'),
  })
  .superRefine((def, ctx) => {
    const s = def.schedule
    if (!s) return
    if (s.everySeconds !== undefined && s.cron !== undefined)
      ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'set schedule.everySeconds or schedule.cron, not both' })
    if (s.timezone !== undefined && s.cron === undefined)
      ctx.addIssue({ code: 'custom', path: ['schedule', 'timezone'], message: 'schedule.timezone only applies to schedule.cron' })
    if (s.cron === undefined) return
    try {
      parseCron(def.name, s.cron, s.timezone)
    } catch (err) {
      if (!(err instanceof InvalidCronError)) throw err
      ctx.addIssue({ code: 'custom', path: ['schedule', 'cron'], message: err.shortMessage.replace(/\.$/, '') })
    }
  })

/** A validated agent definition. */
export type AgentDefinition = z.output<typeof agentDefinitionSchema>
/** What authors write (defaults may be omitted). */
export type AgentDefinitionInput = z.input<typeof agentDefinitionSchema>

/**
 * Validates an agent definition and fills defaults.
 *
 * @example
 * ```ts
 * export default defineAgent({
 *   name: 'treasurer',
 *   system: 'You keep this agent funded. Check the runway; request a top-up only when it is below 3 days.',
 *   model: 'function_calling_default',
 *   tools: ['get_runway', 'get_wallet_balances', 'request_top_up'],
 *   budget: { diemPerRun: 0.05 },
 *   funding: { minRunwayHours: 72 },
 *   schedule: { everySeconds: 3600 },
 * })
 * ```
 */
export function defineAgent(definition: AgentDefinitionInput): AgentDefinition {
  // A bad cron gets its own typed error (the schema reports the same problem as an issue for JSON definitions).
  if (definition.schedule?.cron !== undefined) parseCron(definition.name, definition.schedule.cron, definition.schedule.timezone)
  return agentDefinitionSchema.parse(definition)
}

/** A cron schedule that cannot run: not 5 fields, a field out of range, an unknown time zone, or no date ever matches. */
export class InvalidCronError extends BaseError {
  override name = 'InvalidCronError' as const
  override exitCode: ExitCodeValue = ExitCode.config
  readonly agent: string
  readonly expression: string
  constructor(agent: string, expression: string, why: string, parameters: { cause?: unknown; timezone?: string | undefined } = {}) {
    super(`Agent "${agent}" has an invalid cron schedule "${expression}"${parameters.timezone ? ` (${parameters.timezone})` : ''}: ${why}.`, {
      metaMessages: ['Use 5 fields: minute hour day-of-month month day-of-week, e.g. "5 0 * * *" for 00:05 every day (UTC unless schedule.timezone is set).'],
      cause: parameters.cause,
      code: 'AGENT_INVALID_CRON',
    })
    this.agent = agent
    this.expression = expression
  }
}

/** A parsed cron schedule: `nextAt(ms)` is the first matching time at or after `ms`, `prevAt(ms)` the last at or before it (epoch ms). */
export type CronSchedule = { expression: string; timezone: string; nextAt: (ms: number) => number; prevAt: (ms: number) => number }

/**
 * Reads a standard 5-field cron expression (with croner: no dependencies; cron-parser pulled in luxon, 5 MB) in an
 * IANA time zone, default UTC. Used to validate
 * definitions and by the scheduler, so both read an expression the same way.
 *
 * @throws {InvalidCronError} naming the agent and the expression.
 *
 * @example
 * ```ts
 * const daily = parseCron('diem-autopilot-agent', '5 0 * * *')
 * new Date(daily.nextAt(Date.UTC(2025, 0, 1, 12))).toISOString() // '2025-01-02T00:05:00.000Z'
 * ```
 */
export function parseCron(agent: string, expression: string, timezone = 'UTC'): CronSchedule {
  const fields = expression.trim().split(/\s+/).filter(Boolean).length
  if (fields !== 5) throw new InvalidCronError(agent, expression, `expected 5 fields, got ${fields}`, { timezone })
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch (cause) {
    throw new InvalidCronError(agent, expression, `unknown time zone "${timezone}"`, { cause, timezone })
  }
  let cron: Cron
  try {
    // domAndDow false: a day-of-month and a day-of-week both given match either (Vixie cron, POSIX).
    cron = new Cron(expression, { timezone, paused: true, domAndDow: false })
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.replace(/^CronPattern: /, '') : String(cause)
    throw new InvalidCronError(agent, expression, `${why} (fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-7)`, {
      cause,
      timezone,
    })
  }
  const nextAt = (ms: number) => {
    const at = cron.nextRun(new Date(ms - 1))
    if (!at) throw new InvalidCronError(agent, expression, 'no date matches it', { timezone })
    return at.getTime()
  }
  const prevAt = (ms: number) => {
    const [at] = cron.previousRuns(1, new Date(ms + 1))
    if (!at) throw new InvalidCronError(agent, expression, 'no earlier date matches it', { timezone })
    return at.getTime()
  }
  nextAt(0) // parses, and some date matches (not e.g. "0 0 30 2 *")
  return { expression, timezone, nextAt, prevAt }
}

/** The system prompt of a definition: its `system`, plus the persona when there is one. */
export function systemPromptOf(def: AgentDefinition): string | undefined {
  if (!def.persona) return def.system
  const p = def.persona
  const parts = [
    def.system,
    `You are ${p.name}.`,
    p.bio.length ? `Bio: ${p.bio.join(' ')}` : '',
    p.style.length ? `Style: ${p.style.join('; ')}` : '',
    p.examples.length ? `Example posts:\n- ${p.examples.join('\n- ')}` : '',
  ]
  return parts.filter(Boolean).join('\n\n')
}

/** A definition that cannot run (unknown tool…). */
export class AgentDefinitionError extends BaseError {
  override name = 'AgentDefinitionError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}

/** Picks the named tools from a registry. Unknown names fail fast, before any model call. */
export function resolveTools(def: AgentDefinition, registry: ReadonlyMap<string, AnyTool>): AnyTool[] {
  return def.tools.map((name) => {
    const tool = registry.get(name)
    if (!tool)
      throw new AgentDefinitionError(`Agent "${def.name}" uses unknown tool "${name}".`, {
        metaMessages: [`Known tools: ${[...registry.keys()].join(', ')}`],
        code: 'AGENT_UNKNOWN_TOOL',
      })
    return tool
  })
}

export type { VeniceParameters }
