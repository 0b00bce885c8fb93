/**
 * ElizaOS characters in Gondola: import (classic and current JSON, with a report of what is used, mapped and
 * ignored; secrets dropped; the model checked against Venice's catalogue) and ElizaOS-style seeded prompt
 * composition for posts and replies.
 *
 * @example
 * ```ts
 * import { importCharacter, composePostSystem } from './index.js'
 * const { character } = importCharacter(json, 'eliza.json')
 * const system = composePostSystem(character, { seed: 1 })
 * ```
 */
export { importCharacter, CharacterImportError, type Character, type ExampleTurn, type ImportOptions, type ImportReport } from './importCharacter.js'
export { composePostSystem, composeReplySystem, toPersona } from './composePrompt.js'
export { elizaCharacterSchema, type ElizaCharacterInput } from './schema.js'
export { readCharacterFile } from './readCharacterFile.js'
export { FALLBACK_TRAIT, resolveCharacterModel, type ModelCatalog, type ResolvedModel } from './resolveModel.js'
export { speakersOf, type Speaker } from './speakers.js'
