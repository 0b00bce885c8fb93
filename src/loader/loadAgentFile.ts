import { readFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import { ZodError } from 'zod'
import { AgentDefinitionError, agentDefinitionSchema, type AgentDefinition } from '../agent/defineAgent.js'
import type { AnyTool } from '../tools/defineTool.js'
import { importModule } from './importModule.js'
import { toolsOf } from './toolExports.js'

/** A model agent read from a user's file: its definition and the tools its module (and tool modules) export. */
export type AgentFileContents = {
  definition: AgentDefinition
  tools: Record<string, AnyTool>
  source: string
  /** The module's own `export async function run(host, definition, overrides)`, when one run is more than one model call (e.g. `publishPost`). */
  run?: ((...args: never[]) => unknown) | undefined
}

/**
 * Reads an agent file: a module whose default export is an agent definition (`defineAgent({...})`) and whose
 * other exports may be tools (`defineTool`), or a `.json` definition. Either may list `toolModules` (paths
 * relative to the file) whose exported tools the agent may use.
 *
 * @throws {AgentDefinitionError} for a file that is not valid JSON or whose definition does not validate.
 * @throws {ModuleLoadError} for a module that cannot be loaded (TypeScript without tsx, a throw at import).
 *
 * @example
 * ```ts
 * const { definition, tools } = await loadAgentFile('/home/me/bot/agents/weather.ts')
 * Object.keys(tools) // ['get_forecast']
 * ```
 */
export async function loadAgentFile(path: string): Promise<AgentFileContents> {
  let raw: unknown
  let tools: Record<string, AnyTool> = {}
  let run: AgentFileContents['run']
  if (extname(path) === '.json') {
    try {
      raw = JSON.parse(await readFile(path, 'utf8'))
    } catch (cause) {
      throw new AgentDefinitionError(`Agent file ${path} cannot be read as JSON.`, { cause, code: 'AGENT_INVALID' })
    }
  } else {
    let mod: Record<string, unknown>
    try {
      mod = await importModule(path)
    } catch (err) {
      if (err instanceof ZodError) throw invalid(err, path) // `defineAgent` validates at import time
      throw err
    }
    raw = mod.default
    if (raw === undefined) {
      throw new AgentDefinitionError(`Agent file ${path} has no default export.`, {
        metaMessages: ['Export the definition: export default defineAgent({ name, tools, … })'],
        code: 'AGENT_INVALID',
      })
    }
    tools = toolsOf(mod)
    if (mod.run !== undefined && typeof mod.run !== 'function')
      throw new AgentDefinitionError(`Agent file ${path} exports "run", but it is not a function.`, { code: 'AGENT_INVALID' })
    run = mod.run as AgentFileContents['run']
  }
  const parsed = agentDefinitionSchema.safeParse(raw)
  if (!parsed.success) throw invalid(parsed.error, path)
  const definition = parsed.data
  for (const rel of definition.toolModules ?? []) {
    const modulePath = resolve(dirname(path), rel)
    const found = toolsOf(await importModule(modulePath))
    if (Object.keys(found).length === 0) {
      throw new AgentDefinitionError(`Tool module ${modulePath} (named by ${path}) exports no tools.`, {
        metaMessages: ['Export each tool: export const myTool = defineTool({ name, description, schema, handler })'],
        code: 'AGENT_TOOL_MODULE',
      })
    }
    tools = { ...found, ...tools }
  }
  return { definition, tools, source: path, run }
}

/** An invalid definition, naming the file and the first bad field. */
export function invalid(error: ZodError, source: string): AgentDefinitionError {
  const issue = error.issues[0]!
  return new AgentDefinitionError(`Invalid agent definition in ${source}: ${issue.path.join('.') || 'root'}: ${issue.message}.`, {
    metaMessages: [`Fix ${source}; the fields are described in src/agent/defineAgent.ts.`],
    code: 'AGENT_INVALID',
  })
}
