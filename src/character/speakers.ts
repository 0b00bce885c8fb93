/** Who speaks a line of an example conversation. */
export type Speaker = 'user' | 'character'

/** Placeholders and role names that real character files use for the character itself. */
const CHARACTER_PLACEHOLDER = /^\{\{\s*(agentName|agent|char|charName|botName|characterName)\s*\}\}$/i
const CHARACTER_ROLES = new Set(['assistant', 'agent', 'bot', 'ai', 'character', 'model'])
/** …and for the other person. */
const USER_PLACEHOLDER = /^\{\{\s*(user|name)\d*\s*\}\}$/i
const USER_ROLES = new Set(['user', 'human', 'person', 'them', 'other'])

/**
 * Assigns the speakers of one example conversation as ElizaOS files write them. The character is its `name`
 * (any case), its `username` (with or without `@`), a placeholder for the agent (`{{agentName}}`, `{{char}}`, …)
 * or a role (`assistant`, `agent`, `bot`); the other person is `{{user1}}`/`{{name1}}`/`user`/`human`. A speaker
 * none of these name is decided by the conversation: when the character is not named in it at all, the speaker
 * who answers (the second distinct one) is the character — the convention of every example file — and
 * `guessed` says so.
 *
 * @example
 * ```ts
 * speakersOf(['human', 'assistant'], { name: 'Sam Altman', username: 'sama' }) // { speakers: ['user', 'character'], guessed: false }
 * ```
 */
export function speakersOf(
  names: readonly (string | undefined)[],
  who: { name: string; username?: string | undefined },
): { speakers: Speaker[]; guessed: boolean } {
  const known = names.map((n) => classify(n, who))
  if (known.includes('character')) return { speakers: known.map((k) => k ?? 'user'), guessed: false }
  const distinct = [...new Set(names.filter((n): n is string => !!n && classify(n, who) === undefined))]
  const answerer = distinct.find((n) => n !== names[0]) ?? (names[0] && classify(names[0], who) === 'user' ? undefined : distinct[1])
  const speakers = names.map((n, i): Speaker => known[i] ?? (n !== undefined && n === answerer ? 'character' : 'user'))
  return { speakers, guessed: answerer !== undefined }
}

function classify(speaker: string | undefined, who: { name: string; username?: string | undefined }): Speaker | undefined {
  if (!speaker) return undefined
  const s = speaker.trim()
  const lower = s.toLowerCase().replace(/^@/, '')
  if (lower === who.name.toLowerCase() || (who.username && lower === who.username.toLowerCase().replace(/^@/, ''))) return 'character'
  if (CHARACTER_PLACEHOLDER.test(s) || CHARACTER_ROLES.has(lower)) return 'character'
  if (USER_PLACEHOLDER.test(s) || USER_ROLES.has(lower)) return 'user'
  return undefined
}
