import type { ModelCatalog } from '../character/index.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'

/**
 * Venice's text models and traits, from `GET /models?type=text` and `/models/traits` (both need no key), to check a
 * character's model against. `undefined` when the API cannot be reached: the import then says the model was not
 * checked rather than failing.
 *
 * @example
 * ```ts
 * const models = await fetchModelCatalog('http://127.0.0.1:8545/api/v1')
 * ```
 */
export async function fetchModelCatalog(baseURL: string, signal?: AbortSignal): Promise<ModelCatalog | undefined> {
  const venice = createVeniceClient({ baseURL, maxRetries: 0, timeoutMs: 10_000 })
  try {
    const [models, traits] = await Promise.all([venice.listModels({ type: 'text', signal }), venice.listTraits({ type: 'text', signal })])
    return { textModels: models.map((m) => m.id), traits: Object.keys(traits) }
  } catch {
    return undefined
  }
}
