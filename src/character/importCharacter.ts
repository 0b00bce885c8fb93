import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { elizaCharacterSchema } from './schema.js'

/** A character file that is not valid JSON or not an ElizaOS character. The message names the file and field. */
export class CharacterImportError extends BaseError {
  override name = 'CharacterImportError' as const
  override exitCode = ExitCode.config
}

/** One example conversation: who speaks (`user` for the other party, `character` for the bot) and what. */
export type ExampleTurn = { speaker: 'user' | 'character'; text: string }

/** A character as Gondola uses it, every field normalised to lists. Secrets are never part of it. */
export type Character = {
  name: string
  username: string | undefined
  system: string | undefined
  bio: string[]
  lore: string[]
  knowledge: string[]
  messageExamples: ExampleTurn[][]
  postExamples: string[]
  topics: string[]
  adjectives: string[]
  style: { all: string[]; chat: string[]; post: string[] }
  /** `settings.model` as given: a Venice model id or trait (`default`, `function_calling_default`, …). */
  model: string | undefined
  /** `settings.voice(.model)`: the TTS voice for `speak`. */
  voice: string | undefined
}

/** What an import used, mapped, and ignored — said to the user, never containing a secret's value. */
export type ImportReport = { used: string[]; mapped: string[]; ignored: string[]; warnings: string[] }

const USED = ['name', 'username', 'system', 'bio', 'lore', 'knowledge', 'messageExamples', 'postExamples', 'topics', 'adjectives', 'style'] as const

/**
 * Imports an ElizaOS character (classic or current JSON): validates it, normalises strings-or-lists, maps
 * `settings.model` to a Venice model/trait and `settings.voice` to a TTS voice, reports knowledge file/directory
 * entries (not loaded), `plugins`/`clients`/`modelProvider` (not used) and any unknown field, and drops
 * `settings.secrets`/`secrets` (named in the report by count only).
 *
 * @throws {CharacterImportError} naming `source` and the first invalid field.
 *
 * @example
 * ```ts
 * const { character, report } = importCharacter(JSON.parse(readFileSync('eliza.character.json', 'utf8')), 'eliza.character.json')
 * report.ignored // ['plugins (not used by Gondola: tools are Gondola tools)', …]
 * ```
 */
export function importCharacter(raw: unknown, source = 'character'): { character: Character; report: ImportReport } {
  const parsed = elizaCharacterSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new CharacterImportError(`${source}: ${issue.path.join('.') || 'the file'} ${issue.message}.`, { metaMessages: ['An ElizaOS character needs "name"; bio, lore, topics, adjectives and style.* may be a string or a list of strings.'], code: 'CHARACTER_INVALID' })
  }
  const c = parsed.data
  const report: ImportReport = { used: [], mapped: [], ignored: [], warnings: [] }
  for (const k of USED) if (c[k] !== undefined) report.used.push(k)

  const knowledge: string[] = []
  for (const k of c.knowledge ?? []) {
    if (typeof k === 'string') knowledge.push(k)
    else if ('path' in k) report.warnings.push(`knowledge file ${String(k.path)} is not loaded (only inline knowledge strings are used)`)
    else report.warnings.push(`knowledge directory ${String((k as { directory: string }).directory)} is not loaded (only inline knowledge strings are used)`)
  }
  const voiceSetting = c.settings?.voice
  const voice = typeof voiceSetting === 'string' ? voiceSetting : voiceSetting?.model
  if (c.settings?.model) report.mapped.push(`settings.model → Venice model or trait "${c.settings.model}"`)
  if (voice) report.mapped.push(`settings.voice → TTS voice "${voice}"`)
  const secretCount = Object.keys(c.settings?.secrets ?? {}).length + Object.keys(c.secrets ?? {}).length
  if (secretCount) report.ignored.push(`secrets (${secretCount} entr${secretCount === 1 ? 'y' : 'ies'}: never used in prompts, logs or reports; give credentials to Gondola through its own environment)`)
  if (c.plugins?.length) report.ignored.push('plugins (not used by Gondola: tools are Gondola tools)')
  if (c.clients?.length) report.ignored.push('clients (not used: channels are configured in Gondola)')
  if (c.modelProvider) report.ignored.push(`modelProvider "${c.modelProvider}" (not used: inference is Venice)`)
  const known = new Set<string>([...USED, 'settings', 'secrets', 'plugins', 'clients', 'modelProvider'])
  for (const k of Object.keys(c)) if (!known.has(k)) report.ignored.push(`${k} (unknown field)`)
  const settingsKnown = new Set(['model', 'voice', 'secrets'])
  for (const k of Object.keys(c.settings ?? {})) if (!settingsKnown.has(k)) report.ignored.push(`settings.${k} (not used)`)

  const character: Character = {
    name: c.name,
    username: c.username,
    system: c.system,
    bio: c.bio ?? [],
    lore: c.lore ?? [],
    knowledge,
    messageExamples: (c.messageExamples ?? []).map((conversation) =>
      conversation.map((m): ExampleTurn => ({ speaker: isOther(m.user ?? m.name, c.name) ? 'user' : 'character', text: m.content.text ?? '' })).filter((t) => t.text),
    ),
    postExamples: c.postExamples ?? [],
    topics: c.topics ?? [],
    adjectives: c.adjectives ?? [],
    style: { all: c.style?.all ?? [], chat: c.style?.chat ?? [], post: c.style?.post ?? [] },
    model: c.settings?.model,
    voice,
  }
  return { character, report }
}

/** `{{user1}}`, `{{name1}}`, or any speaker that is not the character. */
function isOther(speaker: string | undefined, name: string): boolean {
  if (!speaker) return true
  if (/^\{\{(user|name)\d*\}\}$/.test(speaker)) return true
  return speaker.toLowerCase() !== name.toLowerCase()
}
