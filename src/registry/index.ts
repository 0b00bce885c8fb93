/**
 * The agent registry: every shipped agent (the files under the repository's `agents/`) by name, and a project's own. Model agents are definitions (TypeScript modules
 * default-exporting `defineAgent({...})`, or `<name>.json`); script agents are deterministic code under the
 * wallet's policy. Loading validates the definition and its tool names, so a bad one fails before any call.
 */
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import { ZodError } from 'zod'
import { AgentDefinitionError, agentDefinitionSchema, type AgentDefinition } from '../agent/defineAgent.js'
import { agentSearchDirs, findAgentFile, listAgentFiles, loadAgentFile, looksLikePath, resolveAgentPath, AGENT_EXTENSIONS } from '../loader/index.js'
import type { AnyTool } from '../tools/defineTool.js'
import type { RunResult } from '../agent/runAgent.js'
import { BaseError } from '../errors/BaseError.js'
import type { Env } from '../config/env.js'
import type { AgentHost, AgentRunOverrides } from '../host/createAgentHost.js'
import { builtinToolFactories, type ToolFactory } from '../host/hostTools.js'
import type { Wallet } from '../wallet/createWallet.js'
import { lastAutopilotRun, runDiemAutopilot } from '../../agents/diem-autopilot.js'

/** A model agent: a definition, and how one run of it goes (default: one `host.run`). */
export type ModelAgent = {
  kind: 'model'
  name: string
  definition: AgentDefinition
  /** Where it came from: `shipped`, or the path of the project's agent file. */
  source: string
  /** Tools the agent's own module (or its `toolModules`) exports, for the host to register next to the built-ins. */
  tools?: Record<string, ToolFactory> | undefined
  /** One scheduled or CLI run; may be several model runs (the social bot's caption → image → post). */
  run: (host: AgentHost, o: AgentRunOverrides) => Promise<RunResult[]>
}

/** What a script agent gets: the configured wallet and settings. It never sees API keys. */
export type ScriptContext = { wallet: Wallet; env: Env; signal?: AbortSignal | undefined }

/** A script agent: deterministic code, no model. */
export type ScriptAgent = {
  kind: 'script'
  name: string
  source: string
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

const model =
  (load: () => Promise<{ default: unknown }>, source: string): Loader =>
  async () => {
    const definition = checked(await importDefinition(load, source), source)
    return { kind: 'model', name: definition.name, definition, source: SHIPPED, run: async (host, o) => [await host.run(definition, o)] }
  }

/**
 * What an agent module may export as `run`: one run of the agent (default: one `host.run`). Return the model
 * runs it made, or an object holding them (`publishPost` returns `{ runs, … }`).
 */
export type AgentModuleRun = (host: AgentHost, definition: AgentDefinition, overrides: AgentRunOverrides) => Promise<RunResult[] | { runs: RunResult[] }>

export { socialBot, publishPost, loadPersona, type PublishedPost } from '../../agents/social-bot.js'

/** The `source` of the agents that ship with Gondola. */
export const SHIPPED = 'shipped'
/** The folder the shipped agents live in (agents/ in a clone, dist/agents in the package): `../../agents` from here either way. */
export const SHIPPED_DIR = fileURLToPath(new URL('../../agents/', import.meta.url)).replace(/\/$/, '')

const loaders: Record<string, Loader> = {
  treasurer: model(() => import('../../agents/treasurer.js'), 'agents/treasurer.ts'),
  'social-bot': async () => {
    const m = await import('../../agents/social-bot.js')
    const definition = checked(await importDefinition(async () => m, 'agents/social-bot.ts'), 'agents/social-bot.ts')
    return {
      kind: 'model',
      name: definition.name,
      definition,
      source: SHIPPED,
      run: async (host, o) => (await m.publishPost(host, definition, { topic: o.prompt, signal: o.signal, budgetDiem: o.budgetDiem })).runs,
    }
  },
  'diem-autopilot': async () => ({
    kind: 'script',
    name: 'diem-autopilot',
    source: SHIPPED,
    description: 'Holds the Diem-per-day target (GONDOLA_AUTOPILOT_*) by the cheapest mix of restake, stake, swap and mint, under the spend policy.',
    schedule: { cron: '5 0 * * *' }, // just after the 00:00 UTC reset; `gondola run --schedule` catches a missed run up once
    run: async ({ wallet, env, signal }) => runDiemAutopilot({ wallet, env, signal }),
    lastRunAt: async ({ wallet, env }) => lastAutopilotRun({ wallet, env }),
  }),
  'diem-autopilot-agent': async () => {
    const { diemAutopilotAgent } = await import('../../agents/diem-autopilot.js')
    const definition = checked(diemAutopilotAgent, 'agents/diem-autopilot.ts', 'diem-autopilot-agent')
    return { kind: 'model', name: 'diem-autopilot-agent', definition, source: SHIPPED, run: async (host, o) => [await host.run(definition, o)] }
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

/** Where to look for a project's own agents (defaults: the current directory, GONDOLA_AGENTS_DIR unset). */
export type AgentLookup = { cwd?: string | undefined; agentsDir?: string | undefined }

/**
 * Loads an agent: a path to an agent file (`./agents/weather.ts`, `.js`, `.mjs`, `.json`); else by name from the
 * project's own agents (GONDOLA_AGENTS_DIR, then `./agents`), then from the shipped ones. A project agent with
 * a shipped agent's name wins. An agent module may export its own tools (`defineTool`); they come back in
 * `tools` for the host to register.
 *
 * @throws {UnknownAgentError} for a name found nowhere (the message says where it looked).
 * @throws {AgentDefinitionError} for a definition that does not validate or names an unknown tool.
 *
 * @example
 * ```ts
 * const agent = await loadAgent('treasurer')
 * if (agent.kind === 'model') await agent.run(host, { prompt: 'How long can we run?' })
 * const mine = await loadAgent('./agents/weather.ts')
 * ```
 */
export async function loadAgent(name: string, lookup: AgentLookup = {}): Promise<RegisteredAgent> {
  const cwd = lookup.cwd ?? process.cwd()
  if (looksLikePath(name)) {
    const path = resolveAgentPath(name, cwd)
    if (!existsSync(path))
      throw new UnknownAgentError(`There is no agent file at ${path}.`, {
        metaMessages: [`Agent files end in ${AGENT_EXTENSIONS.join(', ')}.`],
        code: 'AGENT_UNKNOWN',
      })
    return fromFile(path)
  }
  const dirs = agentSearchDirs({ cwd, agentsDir: lookup.agentsDir, shippedDir: SHIPPED_DIR })
  const file = findAgentFile(name, dirs)
  if (file) return fromFile(file.path, name)
  const loader = loaders[name]
  if (loader) return loader()
  if (!JSON_AGENTS.includes(name)) {
    const looked = [
      ...(lookup.agentsDir && !dirs.some((d) => d.endsWith(lookup.agentsDir!.replace(/\/+$/, '')))
        ? [`${lookup.agentsDir} (GONDOLA_AGENTS_DIR: not a folder)`]
        : []),
      ...dirs.map((d) => `${d}/${name}{${AGENT_EXTENSIONS.join(',')}}`),
      ...(dirs.length ? [] : [`${cwd}/agents (no such folder)`]),
      `the shipped agents (${agentNames().join(', ')})`,
    ]
    throw new UnknownAgentError(`There is no agent named "${name}".`, {
      metaMessages: [`Looked in: ${looked.join('; ')}. Pass a path (gondola run ./agents/my-agent.ts), or set GONDOLA_AGENTS_DIR.`],
      code: 'AGENT_UNKNOWN',
    })
  }
  const url = new URL(`../../agents/${name}.json`, import.meta.url)
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(url, 'utf8'))
  } catch (cause) {
    throw new AgentDefinitionError(`Agent file ${url.pathname} cannot be read as JSON.`, { cause, code: 'AGENT_INVALID' })
  }
  const parsed = agentDefinitionSchema.safeParse(raw)
  if (!parsed.success) throw invalid(parsed.error, url.pathname)
  const definition = checked(parsed.data, url.pathname, name)
  return { kind: 'model', name: definition.name, definition, source: SHIPPED, run: async (host, o) => [await host.run(definition, o)] }
}

/** A model agent from a project's file, with the tools its module exports. */
async function fromFile(path: string, expectedName?: string): Promise<ModelAgent> {
  const { definition: raw, tools, run: own } = await loadAgentFile(path)
  const definition = checked(raw, path, expectedName, tools)
  const factories: Record<string, ToolFactory> = Object.fromEntries(Object.entries(tools).map(([n, t]) => [n, () => t]))
  // A module may export its own `run(host, definition, overrides)` (a pipeline such as `publishPost`).
  const custom = own as AgentModuleRun | undefined
  const run: ModelAgent['run'] = custom
    ? async (host, o) => {
        const r = await custom(host, definition, o)
        return Array.isArray(r) ? r : r.runs
      }
    : async (host, o) => [await host.run(definition, o)]
  return { kind: 'model', name: definition.name, definition, source: path, tools: factories, run }
}

/** One row of `gondola run --list`: the agent's name and where it comes from (`shipped` or a path). */
export type AgentListing = { name: string; source: string; load: () => Promise<RegisteredAgent> }

/**
 * Every agent `gondola run` can find: the project's own (GONDOLA_AGENTS_DIR, then `./agents`), then the shipped
 * ones not shadowed by a project agent of the same name.
 *
 * @example
 * ```ts
 * for (const a of listAgents({ cwd: '/home/me/bot' })) console.log(a.name, a.source)
 * ```
 */
export function listAgents(lookup: AgentLookup = {}): AgentListing[] {
  const cwd = lookup.cwd ?? process.cwd()
  const rows: AgentListing[] = []
  const seen = new Set<string>()
  for (const dir of agentSearchDirs({ cwd, agentsDir: lookup.agentsDir, shippedDir: SHIPPED_DIR })) {
    for (const f of listAgentFiles(dir)) {
      if (seen.has(f.name)) continue
      seen.add(f.name)
      rows.push({ name: f.name, source: relative(cwd, f.path).startsWith('..') ? f.path : `./${relative(cwd, f.path)}`, load: () => fromFile(f.path, f.name) })
    }
  }
  for (const name of agentNames()) if (!seen.has(name)) rows.push({ name, source: SHIPPED, load: () => loadAgent(name, { cwd: SHIPPED_DIR }) })
  return rows
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
  return Promise.all(agentNames().map((name) => loadAgent(name, { cwd: SHIPPED_DIR })))
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

/** Tool names must be ones the host can build (built-in or exported by the agent's modules); the registry name must match the definition's. */
function checked(def: AgentDefinition, source: string, expectedName?: string, own: Record<string, AnyTool> = {}): AgentDefinition {
  const unknown = def.tools.filter((t) => !(t in builtinToolFactories) && !(t in own))
  if (unknown.length) {
    throw new AgentDefinitionError(
      `Agent "${def.name}" in ${source} uses unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')}.`,
      {
        metaMessages: [
          `Known tools: ${[...Object.keys(builtinToolFactories), ...Object.keys(own)].join(', ')}`,
          'A custom tool is exported from the agent module (export const myTool = defineTool({...})), or from a module listed in "toolModules".',
        ],
        code: 'AGENT_UNKNOWN_TOOL',
      },
    )
  }
  if (expectedName !== undefined && def.name !== expectedName) {
    throw new AgentDefinitionError(`Agent file ${source} defines "${def.name}", expected "${expectedName}".`, {
      metaMessages: ["The name selects the agent's key: make them match."],
      code: 'AGENT_NAME',
    })
  }
  return def
}
