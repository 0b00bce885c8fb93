/**
 * The agent registry: every agent under `agents/` by name. Model agents are definitions (TypeScript modules
 * default-exporting `defineAgent({...})`, or `<name>.json`); script agents are deterministic code under the
 * wallet's policy. Loading validates the definition and its tool names, so a bad one fails before any call.
 */
import { ExitCode, type ExitCodeValue } from '../src/errors/exitCodes.js'
import { readFile } from 'node:fs/promises'
import type { Hex } from 'viem'
import { ZodError } from 'zod'
import { AgentDefinitionError, agentDefinitionSchema, type AgentDefinition } from '../src/agent/defineAgent.js'
import type { RunResult } from '../src/agent/runAgent.js'
import { BaseError } from '../src/errors/BaseError.js'
import type { Env } from '../src/config/env.js'
import type { AgentHost, AgentRunOverrides } from '../src/host/createAgentHost.js'
import { builtinToolFactories } from '../src/host/hostTools.js'
import type { Wallet } from '../src/wallet/createWallet.js'
import { lastAutopilotRun, runDiemAutopilot } from './diem-autopilot.js'

/** A model agent: a definition, and how one run of it goes (default: one `host.run`). */
export type ModelAgent = {
  kind: 'model'
  name: string
  definition: AgentDefinition
  /** One scheduled or CLI run; may be several model runs (the social bot's caption → image → post). */
  run: (host: AgentHost, o: AgentRunOverrides) => Promise<RunResult[]>
}

/** What a script agent gets: the configured wallet and settings. It never sees API keys. */
export type ScriptContext = { wallet: Wallet; env: Env; signal?: AbortSignal | undefined }

/** A script agent: deterministic code, no model. */
export type ScriptAgent = {
  kind: 'script'
  name: string
  description: string
  /** As a definition's: `everySeconds`, or `cron` (+ `timezone`, default UTC). */
  schedule: AgentDefinition['schedule']
  run: (ctx: ScriptContext) => Promise<{ summary: string; hashes: Hex[] } & Record<string, unknown>>
  /** When it last ran (ms), so a scheduler can catch a missed cron slot up once. */
  lastRunAt?: ((ctx: ScriptContext) => Promise<number | undefined>) | undefined
}

export type RegisteredAgent = ModelAgent | ScriptAgent

/** No agent of that name. */
export class UnknownAgentError extends BaseError {
  override name = 'UnknownAgentError' as const
  override exitCode: ExitCodeValue = ExitCode.usage
}

type Loader = () => Promise<RegisteredAgent>

const model = (load: () => Promise<{ default: unknown }>, source: string): Loader => async () => {
  const definition = checked(await importDefinition(load, source), source)
  return { kind: 'model', name: definition.name, definition, run: async (host, o) => [await host.run(definition, o)] }
}

const loaders: Record<string, Loader> = {
  treasurer: model(() => import('./treasurer.js'), 'agents/treasurer.ts'),
  'social-bot': async () => {
    const m = await import('./social-bot.js')
    const definition = checked(await importDefinition(async () => m, 'agents/social-bot.ts'), 'agents/social-bot.ts')
    return { kind: 'model', name: definition.name, definition, run: async (host, o) => (await m.publishPost(host, definition, { topic: o.prompt, signal: o.signal, budgetDiem: o.budgetDiem })).runs }
  },
  'diem-autopilot': async () => ({
    kind: 'script',
    name: 'diem-autopilot',
    description: 'Holds the Diem-per-day target (GONDOLA_AUTOPILOT_*) by the cheapest mix of restake, stake, swap and mint, under the spend policy.',
    schedule: { cron: '5 0 * * *' }, // just after the 00:00 UTC reset; `gondola run --schedule` catches a missed run up once
    run: async ({ wallet, env }) => runDiemAutopilot({ wallet, env }),
    lastRunAt: async ({ wallet, env }) => lastAutopilotRun({ wallet, env }),
  }),
  'diem-autopilot-agent': async () => {
    const { diemAutopilotAgent } = await import('./diem-autopilot.js')
    const definition = checked(diemAutopilotAgent, 'agents/diem-autopilot.ts', 'diem-autopilot-agent')
    return { kind: 'model', name: 'diem-autopilot-agent', definition, run: async (host, o) => [await host.run(definition, o)] }
  },
}

/** The JSON agents shipped beside the modules (`agents/<name>.json`). */
const JSON_AGENTS = ['satoshi']

/**
 * Names of every registered agent.
 *
 * @example
 * ```ts
 * agentNames() // ['treasurer', 'social-bot', 'diem-autopilot', 'diem-autopilot-agent', 'satoshi']
 * ```
 */
export function agentNames(): string[] {
  return [...Object.keys(loaders), ...JSON_AGENTS]
}

/**
 * Loads an agent by name: a module from the registry, or `agents/<name>.json` (or a path to a JSON file).
 *
 * @throws {UnknownAgentError} for a name that is not registered (the message lists the known ones).
 * @throws {AgentDefinitionError} for a definition that does not validate or names an unknown tool.
 *
 * @example
 * ```ts
 * const agent = await loadAgent('treasurer')
 * if (agent.kind === 'model') await agent.run(host, { prompt: 'How long can we run?' })
 * ```
 */
export async function loadAgent(name: string): Promise<RegisteredAgent> {
  const loader = loaders[name]
  if (loader) return loader()
  const isPath = name.endsWith('.json')
  if (!isPath && !JSON_AGENTS.includes(name)) {
    throw new UnknownAgentError(`There is no agent named "${name}".`, { metaMessages: [`Known agents: ${agentNames().join(', ')} (or a path to an agent .json file).`], code: 'AGENT_UNKNOWN' })
  }
  const url = isPath ? new URL(`file://${name.startsWith('/') ? name : `${process.cwd()}/${name}`}`) : new URL(`./${name}.json`, import.meta.url)
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(url, 'utf8'))
  } catch (cause) {
    throw new AgentDefinitionError(`Agent file ${url.pathname} cannot be read as JSON.`, { cause, code: 'AGENT_INVALID' })
  }
  const parsed = agentDefinitionSchema.safeParse(raw)
  if (!parsed.success) throw invalid(parsed.error, url.pathname)
  const definition = checked(parsed.data, url.pathname, isPath ? undefined : name)
  return { kind: 'model', name: definition.name, definition, run: async (host, o) => [await host.run(definition, o)] }
}

/**
 * Every registered agent, loaded and validated (what the tests and `gondola run --list` use).
 *
 * @example
 * ```ts
 * const all = await loadAllAgents()
 * ```
 */
export async function loadAllAgents(): Promise<RegisteredAgent[]> {
  return Promise.all(agentNames().map(loadAgent))
}

async function importDefinition(load: () => Promise<{ default: unknown }>, source: string): Promise<AgentDefinition> {
  try {
    const parsed = agentDefinitionSchema.safeParse((await load()).default)
    if (!parsed.success) throw invalid(parsed.error, source)
    return parsed.data
  } catch (err) {
    // `defineAgent` throws at import time for a bad module.
    if (err instanceof ZodError) throw invalid(err, source)
    throw err
  }
}

function invalid(error: ZodError, source: string): AgentDefinitionError {
  const issue = error.issues[0]!
  return new AgentDefinitionError(`Invalid agent definition in ${source}: ${issue.path.join('.') || 'root'}: ${issue.message}.`, {
    metaMessages: [`Fix ${source}; the fields are described in src/agent/defineAgent.ts.`],
    code: 'AGENT_INVALID',
  })
}

/** Tool names must be ones the host can build; the registry name must match the definition's. */
function checked(def: AgentDefinition, source: string, expectedName?: string): AgentDefinition {
  const unknown = def.tools.filter((t) => !(t in builtinToolFactories))
  if (unknown.length) {
    throw new AgentDefinitionError(`Agent "${def.name}" in ${source} uses unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')}.`, {
      metaMessages: [`Known tools: ${Object.keys(builtinToolFactories).join(', ')}`],
      code: 'AGENT_UNKNOWN_TOOL',
    })
  }
  if (expectedName !== undefined && def.name !== expectedName) {
    throw new AgentDefinitionError(`Agent file ${source} defines "${def.name}", expected "${expectedName}".`, { metaMessages: ['The name selects the agent\'s key: make them match.'], code: 'AGENT_NAME' })
  }
  return def
}
