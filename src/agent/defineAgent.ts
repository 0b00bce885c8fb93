import { z } from 'zod'
import { BaseError } from '../errors/BaseError.js'
import type { AnyTool } from '../tools/defineTool.js'
import type { VeniceParameters } from './callModel.js'

/**
 * An agent as data: what `agents/<name>` files export and what `gondola run` loads. Tools are named
 * (resolved by the runner from a registry of built-in and custom tools) so a definition stays plain JSON.
 */
export const agentDefinitionSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).describe('Agent id, used in ledgers and logs.'),
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
  veniceParameters: z.record(z.string(), z.unknown()).optional().describe('Extra venice_parameters for every call.'),
  maxSteps: z.number().int().positive().default(10).describe('Model calls per run.'),
  budget: z.object({ diemPerRun: z.number().positive().optional() }).default({}).describe('Spend limits.'),
  funding: z
    .object({ minRunwayHours: z.number().positive(), cooldownSeconds: z.number().int().min(0) })
    .partial()
    .default({})
    .describe('Self-funding thresholds; unset values come from GONDOLA_FUNDING_* settings.'),
  schedule: z
    .object({ everySeconds: z.number().int().positive().optional(), cron: z.string().optional() })
    .optional()
    .describe('When the runner starts runs on its own.'),
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
  return agentDefinitionSchema.parse(definition)
}

/** The system prompt of a definition: its `system`, plus the persona when there is one. */
export function systemPromptOf(def: AgentDefinition): string | undefined {
  if (!def.persona) return def.system
  const p = def.persona
  const parts = [def.system, `You are ${p.name}.`, p.bio.length ? `Bio: ${p.bio.join(' ')}` : '', p.style.length ? `Style: ${p.style.join('; ')}` : '', p.examples.length ? `Example posts:\n- ${p.examples.join('\n- ')}` : '']
  return parts.filter(Boolean).join('\n\n')
}

/** A definition that cannot run (unknown tool…). */
export class AgentDefinitionError extends BaseError {
  override name = 'AgentDefinitionError' as const
}

/** Picks the named tools from a registry. Unknown names fail fast, before any model call. */
export function resolveTools(def: AgentDefinition, registry: ReadonlyMap<string, AnyTool>): AnyTool[] {
  return def.tools.map((name) => {
    const tool = registry.get(name)
    if (!tool) throw new AgentDefinitionError(`Agent "${def.name}" uses unknown tool "${name}".`, { metaMessages: [`Known tools: ${[...registry.keys()].join(', ')}`], code: 'AGENT_UNKNOWN_TOOL' })
    return tool
  })
}

export type { VeniceParameters }
