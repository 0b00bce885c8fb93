import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { z } from 'zod'
import { AgentDefinitionError, agentDefinitionSchema, defineAgent, type AgentDefinition } from '../src/agent/defineAgent.js'
import type { RunResult } from '../src/agent/runAgent.js'
import { BaseError } from '../src/errors/BaseError.js'
import type { AgentHost, AgentRunOverrides } from '../src/host/createAgentHost.js'
import { outboxChannel, type Channel } from '../src/channels/index.js'
import { createSocialBot, SocialBotError, type TickResult } from '../src/social/index.js'

/** An Eliza-style persona file: name, bio, style, example posts. */
export const personaSchema = agentDefinitionSchema.shape.persona.unwrap()
export type Persona = z.output<typeof personaSchema>

/**
 * Reads and validates a persona JSON file (relative paths are resolved against `agents/personas/`).
 *
 * @throws {AgentDefinitionError} naming the file and the bad field.
 *
 * @example
 * ```ts
 * const nico = loadPersona('gondolier.json')
 * nico.name // 'Nico the Gondolier'
 * ```
 */
export function loadPersona(file: string): Persona {
  const url = file.startsWith('/') ? new URL(`file://${file}`) : new URL(`./personas/${file}`, import.meta.url)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(url, 'utf8'))
  } catch (cause) {
    throw new AgentDefinitionError(`Persona file ${url.pathname} cannot be read as JSON.`, { cause, code: 'AGENT_PERSONA' })
  }
  const parsed = personaSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AgentDefinitionError(`Persona file ${url.pathname}: ${issue.path.join('.') || 'root'} ${issue.message}.`, {
      metaMessages: ['A persona needs "name" (string) and may have "bio", "style", "examples" (arrays of strings).'],
      code: 'AGENT_PERSONA',
    })
  }
  return parsed.data
}

/**
 * A social bot definition: speaks as a Venice character (`characterSlug`, e.g. `satoshi`) or as an Eliza-style
 * persona, makes images with `generate_image` and publishes to the local outbox with `post_to_outbox`.
 *
 * @example
 * ```ts
 * const satoshiBot = socialBot({ characterSlug: 'satoshi' })
 * const nicoBot = socialBot({ persona: 'gondolier.json' })
 * ```
 */
export function socialBot(o: { name?: string; persona?: string | Persona; characterSlug?: string } = {}): AgentDefinition {
  const persona = o.characterSlug ? undefined : typeof o.persona === 'object' ? o.persona : loadPersona(o.persona ?? 'gondolier.json')
  return defineAgent({
    name: o.name ?? 'social-bot',
    description: 'Character-driven poster: one short post with an image per run, to the outbox or the GONDOLA_CHANNEL channels.',
    system:
      'You run a small social account. Each post: one short caption in your voice, nothing else (no quotes around it, no hashtags unless your style uses them).',
    prompt: 'the Grand Canal at dawn',
    ...(o.characterSlug ? { characterSlug: o.characterSlug } : { model: 'function_calling_default', persona }),
    tools: ['generate_image', 'post_to_outbox'],
    maxSteps: 4,
    budget: { diemPerRun: 0.2 },
    schedule: { everySeconds: 6 * 3600 },
  })
}

/** What one published post took: the caption (published verbatim), the image file, and the model run(s). */
export type PublishedPost = { caption: string; image: string; posted: boolean; runs: RunResult[] }

/** A post that did not come out (no caption, no image). */
export class SocialPostError extends BaseError {
  override name = 'SocialPostError' as const
}

/**
 * One post: the model writes the caption (no tools, in the character's or persona's voice); code generates the
 * image and publishes the exact caption with `publishOnce` — to the host's outbox, or to `channels`. Nothing is
 * re-typed by a model, so quotes and wording arrive as written. Caption and image costs are in the ledger.
 *
 * @throws {SocialPostError} when no caption or image came out — nothing is posted then.
 *
 * @example
 * ```ts
 * const post = await publishPost(host, socialBot({ characterSlug: 'satoshi' }), { topic: 'a gondola at dawn' })
 * post.image // '.gondola/outbox/images/….webp'
 * ```
 */
export async function publishPost(
  host: AgentHost,
  def: AgentDefinition,
  o: { topic?: string | undefined; signal?: AbortSignal | undefined; channels?: Channel[] | undefined } & Pick<AgentRunOverrides, 'budgetDiem' | 'prompt'> = {},
): Promise<PublishedPost> {
  // `prompt` (what `gondola run --prompt` passes) is the topic too, so `export { publishPost as run }` works in an agent module.
  const topic = o.topic ?? o.prompt ?? 'the Grand Canal at dawn'
  const bot = createSocialBot({
    host,
    definition: def,
    channels: o.channels ?? [outboxChannel({ dir: host.outboxDir })],
    stateDir: join(dirname(host.outboxDir), 'social'),
    outboxDir: host.outboxDir,
    ledgerPath: host.ledgerPath,
  })
  let r: TickResult
  try {
    r = await bot.tick({ topic, signal: o.signal })
  } catch (err) {
    if (err instanceof SocialBotError) throw new SocialPostError(err.shortMessage, { cause: err })
    throw err
  }
  if (r.status === 'budget' || r.status === 'dry-run' || !r.draft.image) throw new SocialPostError(`No post was made (${r.status}).`)
  return { caption: r.draft.text, image: r.draft.image, posted: true, runs: r.runs }
}

/** The parsed result of the first successful call of `tool` in a run's messages. */
export function toolResult(messages: readonly ChatCompletionMessageParam[], tool: string): unknown {
  const ids = new Set(
    messages
      .flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
      .filter((c) => c.type === 'function' && c.function.name === tool)
      .map((c) => c.id),
  )
  for (const m of messages) {
    if (m.role !== 'tool' || !ids.has(m.tool_call_id)) continue
    try {
      return JSON.parse(String(m.content))
    } catch {
      continue
    }
  }
  return undefined
}

export default socialBot()
