import { seededRandom as mulberry32 } from '../util/seededRandom.js'
import type { Character } from './importCharacter.js'

function sample<T>(items: readonly T[], n: number, random: () => number): T[] {
  const pool = [...items]
  const out: T[] = []
  while (pool.length && out.length < n) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!)
  return out
}

const bullets = (title: string, items: readonly string[]) => (items.length ? `${title}:\n${items.map((i) => `- ${i}`).join('\n')}` : '')

/**
 * The system prompt for a post, composed as ElizaOS does: the character's system text, a sample of bio and lore,
 * a topic and adjectives, inline knowledge, example posts, and the `all` + `post` style rules.
 *
 * @example
 * ```ts
 * const system = composePostSystem(character, { seed: 42 })
 * ```
 */
export function composePostSystem(c: Character, o: { seed: number }): string {
  const r = mulberry32(o.seed)
  const [topic] = sample(c.topics, 1, r)
  const [adjective] = sample(c.adjectives, 1, r)
  return [
    c.system ?? `You are ${c.name}${c.username ? ` (@${c.username})` : ''}.`,
    bullets('About you', sample(c.bio, 3, r)),
    bullets('Things you know about yourself', sample(c.lore, 3, r)),
    topic || adjective ? `Today you are ${adjective ?? 'yourself'}${topic ? `, and interested in ${topic}` : ''}.` : '',
    bullets('Facts you know', sample(c.knowledge, 3, r)),
    bullets('Posts you have written (match their voice, never copy them)', sample(c.postExamples, 4, r)),
    bullets('Style', [...c.style.all, ...c.style.post]),
    'Write one post: no preamble, no quotes around it.',
  ]
    .filter(Boolean)
    .join('\n\n')
}

/**
 * The system prompt for a reply, with example conversations and the `all` + `chat` style rules.
 *
 * @example
 * ```ts
 * const system = composeReplySystem(character, { seed: 7 })
 * ```
 */
export function composeReplySystem(c: Character, o: { seed: number }): string {
  const r = mulberry32(o.seed)
  const conversations = sample(c.messageExamples, 2, r).map((conv) => conv.map((t) => `${t.speaker === 'user' ? 'Them' : c.name}: ${t.text}`).join('\n'))
  return [
    c.system ?? `You are ${c.name}${c.username ? ` (@${c.username})` : ''}.`,
    bullets('About you', sample(c.bio, 3, r)),
    bullets('Things you know about yourself', sample(c.lore, 2, r)),
    bullets('Facts you know', sample(c.knowledge, 3, r)),
    conversations.length ? `How you talk:\n${conversations.join('\n---\n')}` : '',
    bullets('Style', [...c.style.all, ...c.style.chat]),
    'Reply to the message in one short answer, in your voice.',
  ]
    .filter(Boolean)
    .join('\n\n')
}

/**
 * The character as the existing persona shape (`name`, `bio`, `style`, `examples`) that `defineAgent` takes.
 *
 * @example
 * ```ts
 * socialBot({ persona: toPersona(character) })
 * ```
 */
export function toPersona(c: Character): { name: string; bio: string[]; style: string[]; examples: string[] } {
  return { name: c.name, bio: [...c.bio, ...c.lore].slice(0, 20), style: [...c.style.all, ...c.style.post].slice(0, 20), examples: c.postExamples.slice(0, 20) }
}
