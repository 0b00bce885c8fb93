import { readFile } from 'node:fs/promises'
import { CharacterImportError, type ImportOptions, importCharacter } from './importCharacter.js'

/**
 * Reads and imports a character file, with errors that name the file.
 *
 * @example
 * ```ts
 * const { character, report } = await readCharacterFile('characters/eliza.json')
 * ```
 */
export async function readCharacterFile(path: string, options: ImportOptions = {}) {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new CharacterImportError(`Cannot read the character file ${path}.`, { cause, metaMessages: ['Check the path.'], code: 'CHARACTER_UNREADABLE' })
  })
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (cause) {
    throw new CharacterImportError(`${path} is not valid JSON.`, {
      cause,
      metaMessages: ['An ElizaOS character file is one JSON object.'],
      code: 'CHARACTER_NOT_JSON',
    })
  }
  return importCharacter(raw, path, options)
}
