import type { VeniceClient } from '../venice/createVeniceClient.js'
import type { VeniceModel } from '../venice/schemas.js'
import { BaseError } from '../errors/BaseError.js'

/** Per-million-token prices of a text model, from `/models` (`model_spec.pricing`). */
export type ModelPrice = { inputDiem: number; outputDiem: number; inputUsd: number; outputUsd: number }

/** Token counts of one call. */
export type TokenUsage = { promptTokens: number; completionTokens: number }

/** Raised when a model id or trait cannot be resolved to a priced model. */
export class ModelResolutionError extends BaseError {
  override name = 'ModelResolutionError' as const
}

/**
 * The cost of a call in Diem and USD: tokens × the model's per-million price.
 *
 * @example
 * ```ts
 * costOf({ promptTokens: 1000, completionTokens: 500 }, { inputDiem: 0.5, outputDiem: 2, inputUsd: 0.5, outputUsd: 2 })
 * // { diem: 0.0015, usd: 0.0015 }
 * ```
 */
export function costOf(usage: TokenUsage, price: ModelPrice): { diem: number; usd: number } {
  return {
    diem: diemCostOf(usage.promptTokens, usage.completionTokens, price),
    usd: (usage.promptTokens * price.inputUsd + usage.completionTokens * price.outputUsd) / 1e6,
  }
}

/**
 * The Diem cost of a call (`costOf(...).diem` without allocating).
 *
 * @example
 * ```ts
 * diemCostOf(1000, 500, { inputDiem: 0.5, outputDiem: 2, inputUsd: 0.5, outputUsd: 2 }) // 0.0015
 * ```
 */
export function diemCostOf(promptTokens: number, completionTokens: number, price: ModelPrice): number {
  return (promptTokens * price.inputDiem + completionTokens * price.outputDiem) / 1e6
}

/**
 * A cache of `/models` and `/models/traits` shared by every agent of a runner: resolves a model id,
 * a feature-suffixed id (`model:key=value`) or a trait (`function_calling_default`) to a model and its price.
 * The model list is never hard-coded; it is fetched once per `ttlMs`.
 *
 * @example
 * ```ts
 * const prices = createPriceBook(venice)
 * const { id, price } = await prices.resolve('function_calling_default')
 * ```
 */
export function createPriceBook(client: Pick<VeniceClient, 'listModels' | 'listTraits'>, options: { ttlMs?: number; now?: () => number } = {}) {
  const ttl = options.ttlMs ?? 10 * 60_000
  const now = options.now ?? Date.now
  let cache: Promise<Loaded> | undefined
  // The settled load, read without a promise hop while fresh (every run resolves its model).
  let current: Loaded | undefined
  // Answers of the current load, per model string: almost always the same one.
  let resolved = new Map<string, Resolved>()
  let resolvedFrom: Loaded | undefined

  const load = () => {
    const c = cache
    if (c) return c.then((v) => (now() - v.at > ttl ? reload() : v))
    return reload()
  }
  const reload = () => {
    const p: Promise<Loaded> = Promise.all([client.listModels({ type: 'text' }), client.listTraits({ type: 'text' })]).then(([models, traits]) => {
      const v = { models: new Map(models.map((m) => [m.id, m])), traits, at: now() }
      if (cache === p) current = v
      return v
    })
    cache = p
    current = undefined
    p.catch(() => {
      if (cache === p) cache = undefined
    })
    return p
  }

  const answer = (loaded: Loaded, modelOrTrait: string): Resolved => {
    if (resolvedFrom !== loaded) {
      resolved = new Map()
      resolvedFrom = loaded
    }
    let r = resolved.get(modelOrTrait)
    if (!r) resolved.set(modelOrTrait, (r = resolveIn(loaded, modelOrTrait)))
    return r
  }

  return {
    /** Resolves an id or trait to `{ id, price }`; the suffix after `:` is kept in `requestModel`. */
    async resolve(modelOrTrait: string): Promise<Resolved> {
      return answer(current !== undefined && now() - current.at <= ttl ? current : await load(), modelOrTrait)
    },
    /**
     * `resolve`'s answer without a promise, when the model list is loaded and fresh and this id was
     * resolved before from it; otherwise `undefined` (call `resolve`). Every run asks, so most skip an await.
     */
    cached(modelOrTrait: string): Resolved | undefined {
      return current !== undefined && resolvedFrom === current && now() - current.at <= ttl ? resolved.get(modelOrTrait) : undefined
    },
    /** Forget the cache (e.g. after a deprecation warning header). */
    invalidate: () => void (cache = current = undefined),
  }
}

type Loaded = { models: Map<string, VeniceModel>; traits: Record<string, string>; at: number }
type Resolved = { id: string; requestModel: string; price: ModelPrice; model: VeniceModel }

function resolveIn({ models, traits }: { models: Map<string, VeniceModel>; traits: Record<string, string> }, modelOrTrait: string): Resolved {
  const [base = modelOrTrait, suffix] = modelOrTrait.split(':', 2)
  const id = models.has(base) ? base : traits[base]
  const model = id ? models.get(id) : undefined
  if (!id || !model) {
    throw new ModelResolutionError(`Unknown model or trait "${base}".`, {
      metaMessages: [`Traits: ${Object.keys(traits).join(', ') || '(none)'}`],
      code: 'MODEL_UNKNOWN',
    })
  }
  const p = model.model_spec?.pricing
  const price: ModelPrice = {
    inputDiem: p?.input?.diem ?? 0,
    outputDiem: p?.output?.diem ?? 0,
    inputUsd: p?.input?.usd ?? 0,
    outputUsd: p?.output?.usd ?? 0,
  }
  return { id, requestModel: suffix ? `${id}:${suffix}` : id, price, model }
}

/** A price book as returned by `createPriceBook`. */
export type PriceBook = ReturnType<typeof createPriceBook>
