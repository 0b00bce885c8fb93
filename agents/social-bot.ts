import { readFileSync } from 'node:fs'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { z } from 'zod'
import { AgentDefinitionError, agentDefinitionSchema, defineAgent, type AgentDefinition } from '../src/agent/defineAgent.js'
import type { RunResult } from '../src/agent/runAgent.js'
import { BaseError } from '../src/errors/BaseError.js'
import type { AgentHost, AgentRunOverrides } from '../src/host/createAgentHost.js'

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
    throw new AgentDefinitionError(`Persona file ${url.pathname}: ${issue.path.join('.') || 'root'} ${issue.message}.`, { metaMessages: ['A persona needs "name" (string) and may have "bio", "style", "examples" (arrays of strings).'], code: 'AGENT_PERSONA' })
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
    description: 'Character-driven poster: one image and one short post per run, to the local outbox.',
    system: 'You run a small social account. Each post: one short caption in your voice, one image made with generate_image, published with post_to_outbox (attach the image path).',
    prompt: 'Write a post about "the Grand Canal at dawn": make an image with generate_image, then publish it with post_to_outbox.',
    ...(o.characterSlug ? { characterSlug: o.characterSlug } : { model: 'function_calling_default', persona }),
    tools: ['generate_image', 'post_to_outbox'],
    maxSteps: 4,
    budget: { diemPerRun: 0.2 },
    schedule: { everySeconds: 6 * 3600 },
  })
}

/** What one published post took: the caption, the image file, the post's outbox line, and the three runs. */
export type PublishedPost = { caption: string; image: string; posted: boolean; runs: RunResult[] }

/** A run of a `publishPost` step that did not produce what the next step needs. */
export class SocialPostError extends BaseError {
  override name = 'SocialPostError' as const
}

/**
 * One post as a fixed pipeline of three narrow model steps, so the image path is in hand before posting:
 * caption (no tools, in the character's or persona's voice) → `generate_image` → `post_to_outbox` with both.
 *
 * @throws {SocialPostError} when a step ends without its output (status, tool error) — nothing is posted then.
 *
 * @example
 * ```ts
 * const post = await publishPost(host, socialBot({ characterSlug: 'satoshi' }), { topic: 'a gondola at dawn' })
 * post.image // '.gondola/outbox/images/….webp'
 * ```
 */
export async function publishPost(host: AgentHost, def: AgentDefinition, o: { topic?: string | undefined; signal?: AbortSignal | undefined } & Pick<AgentRunOverrides, 'budgetDiem' | 'prompt'> = {}): Promise<PublishedPost> {
  // `prompt` (what `gondola run --prompt` passes) is the topic too, so `export { publishPost as run }` works in an agent module.
  const topic = (o.topic ?? o.prompt ?? 'the Grand Canal at dawn').replaceAll('"', "'")
  const step = (tools: string[], prompt: string) => host.run({ ...def, tools }, { prompt, signal: o.signal, budgetDiem: o.budgetDiem, maxSteps: tools.length ? 2 : 1 })
  const runs: RunResult[] = []

  const captionRun = await step([], `Write one short post about "${topic}" in your voice.`)
  runs.push(captionRun)
  // Quotes would end the `text="…"` argument below: the posted caption uses single quotes.
  const caption = captionRun.output?.trim().replaceAll('"', "'").slice(0, 900)
  if (captionRun.status !== 'completed' || !caption) throw new SocialPostError(`The caption step ended with status ${captionRun.status}.`, { cause: captionRun.error })

  const imageRun = await step(['generate_image'], `Call generate_image with prompt="${topic}".`)
  runs.push(imageRun)
  const image = (toolResult(imageRun.messages, 'generate_image') as { images?: string[] } | undefined)?.images?.[0]
  if (!image) throw new SocialPostError(`The image step made no image (status ${imageRun.status}).`, { cause: imageRun.error })

  const postRun = await step(['post_to_outbox'], `Call post_to_outbox with text="${caption}" image="${image}".`)
  runs.push(postRun)
  const posted = (toolResult(postRun.messages, 'post_to_outbox') as { posted?: boolean } | undefined)?.posted === true
  return { caption, image, posted, runs }
}

/** The parsed result of the first successful call of `tool` in a run's messages. */
export function toolResult(messages: readonly ChatCompletionMessageParam[], tool: string): unknown {
  const ids = new Set(messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : [])).filter((c) => c.type === 'function' && c.function.name === tool).map((c) => c.id))
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
