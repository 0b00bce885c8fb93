import { defineCommand } from 'citty'
import { readCharacterFile } from '../../character/index.js'
import { readEnv } from '../../config/env.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { fetchModelCatalog } from '../modelCatalog.js'
import { jsonArg, printJson } from '../output.js'

/** Lines for a character import report, grouped (used / mapped / ignored / warnings). Never contains a secret's value. */
function reportText(file: string, name: string, report: { used: string[]; mapped: string[]; ignored: string[]; warnings: string[] }): string {
  const section = (title: string, items: string[]) => (items.length ? [`${title}:`, ...items.map((i) => `  - ${i}`)] : [])
  return [
    `Character "${name}" from ${file} is valid.`,
    ...section('Used', report.used),
    ...section('Mapped', report.mapped),
    ...section('Ignored', report.ignored),
    ...section('Warnings', report.warnings),
  ].join('\n')
}

const importCommand = defineCommand({
  meta: { name: 'import', description: 'Validate an ElizaOS character file and report what is used, mapped and ignored' },
  args: { file: { type: 'positional', description: 'The ElizaOS character JSON file', required: true }, ...jsonArg },
  async run({ args }) {
    // The model is checked against the configured API's /models (no key needed); unreachable → reported unchecked.
    const baseURL = (() => {
      try {
        return resolveVeniceBaseUrl(readEnv())
      } catch {
        return undefined
      }
    })()
    const models = baseURL ? await fetchModelCatalog(baseURL) : undefined
    // readCharacterFile throws CharacterImportError (exit 3) naming the file and every invalid field.
    const { character, report } = await readCharacterFile(args.file, { models })
    if (args.json) {
      // The normalised character never holds secrets (importCharacter drops them); counts only.
      printJson({
        file: args.file,
        name: character.name,
        username: character.username ?? null,
        model: character.model ?? null,
        voice: character.voice ?? null,
        counts: counts(character),
        report,
      })
    } else process.stdout.write(`${reportText(args.file, character.name, report)}\n`)
  },
})

function counts(c: Awaited<ReturnType<typeof readCharacterFile>>['character']) {
  return {
    bio: c.bio.length,
    lore: c.lore.length,
    knowledge: c.knowledge.length,
    messageExamples: c.messageExamples.length,
    postExamples: c.postExamples.length,
    topics: c.topics.length,
    adjectives: c.adjectives.length,
    style: { all: c.style.all.length, chat: c.style.chat.length, post: c.style.post.length },
  }
}

/** `gondola character import <file>`. */
export default defineCommand({
  meta: { name: 'character', description: 'ElizaOS character files' },
  subCommands: { import: importCommand },
})
