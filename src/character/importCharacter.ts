import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { type ModelCatalog, resolveCharacterModel } from './resolveModel.js'
import { elizaCharacterSchema, type ElizaCharacterParsed } from './schema.js'
import { speakersOf } from './speakers.js'

/** A character file that is not valid JSON or not an ElizaOS character. The message names the file and every bad field. */
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
  /** The model the character runs on: a Venice model id or trait (`default`, …), checked when a catalogue is given. */
  model: string | undefined
  /** `settings.voice(.model)`: the TTS voice for `speak`. */
  voice: string | undefined
}

/** What an import used, mapped, and ignored — said to the user, never containing a secret's value. */
export type ImportReport = { used: string[]; mapped: string[]; ignored: string[]; warnings: string[] }

/** Options of {@link importCharacter}. */
export type ImportOptions = { /** Venice's text models and traits, to check the file's model against. */ models?: ModelCatalog | undefined }

const LISTS = ['bio', 'lore', 'postExamples', 'topics', 'adjectives'] as const
const NOT_USED: Record<string, string> = {
  templates: 'templates (not used: Gondola composes its own post and reply prompts from bio, lore, knowledge, style and examples)',
  plugins: 'plugins (not used by Gondola: tools are Gondola tools)',
  clients: 'clients (not used: channels are configured in Gondola)',
}

/**
 * Imports an ElizaOS character (classic, current, or the looser shapes starter files use): validates it and
 * reports **every** problem at once, normalises strings-or-lists, assigns example speakers by the conventions
 * real files use, checks the model against Venice's catalogue (a foreign model maps to the `default` trait with a
 * warning), maps `settings.voice` to a TTS voice, reports knowledge file/directory entries (not loaded),
 * `templates`/`plugins`/`clients`/`modelProvider` (not used) and any unknown field, and drops
 * `settings.secrets`/`secrets` (named in the report by count only).
 *
 * @throws {CharacterImportError} naming `source` and each invalid field.
 *
 * @example
 * ```ts
 * const { character, report } = importCharacter(JSON.parse(readFileSync('eliza.character.json', 'utf8')), 'eliza.character.json')
 * report.ignored // ['plugins (not used by Gondola: tools are Gondola tools)', …]
 * ```
 */
export function importCharacter(raw: unknown, source = 'character', options: ImportOptions = {}): { character: Character; report: ImportReport } {
  const parsed = elizaCharacterSchema.safeParse(raw)
  if (!parsed.success) {
    // Every problem at once (a file is fixed in one pass, not one rerun per field).
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'} ${i.message}`)
    throw new CharacterImportError(`${source}: ${problems.join('; ')}.`, {
      metaMessages: ['An ElizaOS character needs "name"; bio, lore, topics, adjectives, postExamples and style.* may be a string or a list of strings.'],
      code: 'CHARACTER_INVALID',
    })
  }
  const c = parsed.data
  const report: ImportReport = { used: [], mapped: [], ignored: [], warnings: [] }
  for (const k of ['name', 'username', 'system'] as const) if (c[k]) report.used.push(k)
  for (const k of LISTS) if (c[k]?.length) report.used.push(k)
  if (c.style && (c.style.all?.length || c.style.chat?.length || c.style.post?.length)) report.used.push('style')

  const knowledge = knowledgeOf(c, report)
  const messageExamples = examplesOf(c, report)
  const voiceSetting = c.settings?.voice
  const voice = typeof voiceSetting === 'string' ? voiceSetting : voiceSetting?.model
  const model = resolveCharacterModel(c.settings?.model ?? c.model, options.models)
  if (model.mapped) report.mapped.push(`${c.settings?.model ? 'settings.' : ''}${model.mapped}`)
  if (model.warning) report.warnings.push(model.warning)
  if (voice) report.mapped.push(`settings.voice → TTS voice "${voice}"`)
  const secretCount = Object.keys(c.settings?.secrets ?? {}).length + Object.keys(c.secrets ?? {}).length
  if (secretCount)
    report.ignored.push(
      `secrets (${secretCount} entr${secretCount === 1 ? 'y' : 'ies'}: never used in prompts, logs or reports; give credentials to Gondola through its own environment)`,
    )
  for (const [k, why] of Object.entries(NOT_USED)) if (c[k] !== undefined) report.ignored.push(why)
  if (c.modelProvider) report.ignored.push(`modelProvider "${c.modelProvider}" (not used: inference is Venice)`)
  const known = new Set<string>([
    ...LISTS,
    'name',
    'username',
    'system',
    'style',
    'knowledge',
    'messageExamples',
    'model',
    'settings',
    'secrets',
    'modelProvider',
    ...Object.keys(NOT_USED),
  ])
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
    messageExamples,
    postExamples: c.postExamples ?? [],
    topics: c.topics ?? [],
    adjectives: c.adjectives ?? [],
    style: { all: c.style?.all ?? [], chat: c.style?.chat ?? [], post: c.style?.post ?? [] },
    model: model.model,
    voice,
  }
  return { character, report }
}

/** Inline knowledge strings; file/directory entries are reported, an object of topics is flattened to `topic: fact`. */
function knowledgeOf(c: ElizaCharacterParsed, report: ImportReport): string[] {
  const k = c.knowledge
  if (!k) return []
  const out: string[] = []
  if (!Array.isArray(k)) {
    for (const [topic, facts] of Object.entries(k)) for (const f of facts) out.push(`${topic}: ${f}`)
    if (out.length) report.mapped.push(`knowledge (an object of ${Object.keys(k).length} topics) → ${out.length} inline facts`)
  } else {
    for (const e of k) {
      if (typeof e === 'string') out.push(e)
      else if ('path' in e) report.warnings.push(`knowledge file ${String(e.path)} is not loaded (only inline knowledge strings are used)`)
      else report.warnings.push(`knowledge directory ${String((e as { directory: string }).directory)} is not loaded (only inline knowledge strings are used)`)
    }
  }
  if (out.length) report.used.push('knowledge')
  return out
}

/** Example conversations with their speakers assigned (see `speakersOf`); lists of bare strings alternate, the other person first. */
function examplesOf(c: ElizaCharacterParsed, report: ImportReport): ExampleTurn[][] {
  let guessed = 0
  let bare = 0
  const out = (c.messageExamples ?? [])
    .map((conversation) => {
      const names = conversation.map((m) => (typeof m === 'string' ? undefined : (m.user ?? m.name)))
      const texts = conversation.map((m) => (typeof m === 'string' ? m : typeof m.content === 'string' ? m.content : (m.content.text ?? '')))
      const allBare = conversation.every((m) => typeof m === 'string')
      if (allBare) bare++
      const who = allBare
        ? { speakers: texts.map((_, i): 'user' | 'character' => (i % 2 === 0 ? 'user' : 'character')), guessed: false }
        : speakersOf(names, { name: c.name, username: c.username })
      if (who.guessed) guessed++
      return texts.map((text, i): ExampleTurn => ({ speaker: who.speakers[i]!, text })).filter((t) => t.text)
    })
    .filter((conversation) => conversation.length > 0)
  if (out.length) report.used.push('messageExamples')
  if (bare) report.mapped.push(`messageExamples: ${bare} conversation${bare === 1 ? '' : 's'} of bare strings → turns alternating, the other person first`)
  if (guessed)
    report.warnings.push(
      `messageExamples: in ${guessed} conversation${guessed === 1 ? '' : 's'} no speaker is the character by name; the one who answers is taken as the character`,
    )
  return out
}
