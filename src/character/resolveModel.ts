/** The Venice text models and traits a character's model is checked against (from `GET /models` and `/models/traits`). */
export type ModelCatalog = { textModels: readonly string[]; traits: readonly string[] }

/** The trait a character falls back to when its file names a model Venice does not serve. */
export const FALLBACK_TRAIT = 'default'

/** What became of a character file's model. `model` is what the character will run on. */
export type ResolvedModel = { model: string | undefined; mapped?: string | undefined; warning?: string | undefined }

/**
 * Checks a character file's model against Venice's catalogue. A Venice text model or trait is kept (a feature
 * suffix such as `:enable_web_search=on` is allowed); a name Venice does not serve as a text model (a Claude or
 * GPT id from another provider, an image model) maps to the `default` trait with a warning that says so. Without
 * a catalogue (none given, or the API could not be reached) the name is kept and the warning says it was not checked.
 *
 * @example
 * ```ts
 * resolveCharacterModel('claude-3-5-sonnet-20241022', { textModels: ['qwen3-4b'], traits: ['default'] })
 * // { model: 'default', warning: 'model "claude-3-5-sonnet-20241022" is not a Venice text model: …' }
 * ```
 */
export function resolveCharacterModel(given: string | undefined, catalog: ModelCatalog | undefined): ResolvedModel {
  if (!given) return { model: undefined }
  const id = given.split(':')[0]!
  if (!catalog)
    return {
      model: given,
      mapped: `model → "${given}"`,
      warning: `model "${given}" was not checked against Venice's /models; a name Venice does not serve as a text model stops every post`,
    }
  if (catalog.textModels.includes(id)) return { model: given, mapped: `model → Venice text model "${given}"` }
  if (catalog.traits.includes(id)) return { model: given, mapped: `model → Venice trait "${given}"` }
  return {
    model: FALLBACK_TRAIT,
    mapped: `model "${given}" → Venice trait "${FALLBACK_TRAIT}"`,
    warning: `model "${given}" is not a Venice text model: the character runs on the "${FALLBACK_TRAIT}" trait instead (set settings.model to a Venice text model id or trait to choose)`,
  }
}
