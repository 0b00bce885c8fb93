/**
 * The emulator's model catalogue: the public `/models` snapshot plus the documented `qwen3-4b`
 * (the docs' cheapest XS model, served as trait `fastest`), traits, compatibility mapping,
 * feature-suffix parsing, prices and rate-limit tiers.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One entry of `/models` as the snapshot gives it. */
export type ModelEntry = {
  id: string
  type: string
  created: number
  object?: string
  owned_by?: string
  model_spec: {
    name?: string
    traits: string[]
    privacy?: string
    pricing?: { input?: { usd: number; diem: number }; output?: { usd: number; diem: number }; [k: string]: unknown }
    capabilities?: { supportsReasoning?: boolean; supportsFunctionCalling?: boolean; [k: string]: unknown }
    deprecation?: { date: string; removesAt?: string; autoRemap?: boolean }
    [k: string]: unknown
  }
}

/** Rate-limit tier of a text model (FACTS.md: XS 500 RPM / 1M TPM, S 75, M 50, L 20 RPM). */
export type Tier = 'XS' | 'S' | 'M' | 'L'

/** Limits of one tier; every number can be overridden per model or globally. */
export type TierLimits = { rpm: number; tpm: number; rpd: number }

/**
 * Default tier limits. RPM per tier is published; XS RPD/TPM come from the published table (its models'
 * row). RPD and TPM of S/M/L are the emulator's choice where the table has no row for the model.
 */
export const TIER_LIMITS: Record<Tier, TierLimits> = {
  XS: { rpm: 500, tpm: 1_000_000, rpd: 288_000 },
  S: { rpm: 75, tpm: 750_000, rpd: 108_000 },
  M: { rpm: 50, tpm: 750_000, rpd: 36_000 },
  L: { rpm: 20, tpm: 500_000, rpd: 28_800 },
}

/** Rows of the docs' paid-tier rate-limit table (RPM / RPD / TPM), which win over the tier defaults. */
export const PUBLISHED_LIMITS: Record<string, TierLimits> = {
  'qwen3-4b': { rpm: 500, rpd: 288_000, tpm: 1_000_000 },
  'llama-3.2-3b': { rpm: 500, rpd: 288_000, tpm: 1_000_000 },
  'llama-3.3-70b': { rpm: 50, rpd: 36_000, tpm: 750_000 },
}

/** Published RPM of non-text models by type (images 20, audio 60); RPD/TPM there are the emulator's choice. */
export const MEDIA_LIMITS: Record<string, TierLimits> = {
  image: { rpm: 20, rpd: 28_800, tpm: 1_000_000 },
  inpaint: { rpm: 20, rpd: 28_800, tpm: 1_000_000 },
  upscale: { rpm: 20, rpd: 28_800, tpm: 1_000_000 },
  tts: { rpm: 60, rpd: 86_400, tpm: 1_000_000 },
  asr: { rpm: 60, rpd: 86_400, tpm: 1_000_000 },
}

/**
 * A model's default limits: its row of the published table, else its media type's, else its text tier's.
 *
 * @example
 * ```ts
 * defaultLimitsOf(loadCatalog().byId.get('llama-3.3-70b')!) // { rpm: 50, rpd: 36_000, tpm: 750_000 }
 * ```
 */
export function defaultLimitsOf(model: ModelEntry): TierLimits {
  return PUBLISHED_LIMITS[model.id] ?? MEDIA_LIMITS[model.type] ?? TIER_LIMITS[tierOf(model)]
}

const QWEN3_4B: ModelEntry = {
  id: 'qwen3-4b',
  type: 'text',
  created: 1745903059,
  model_spec: {
    name: 'Venice Small',
    privacy: 'private',
    availableContextTokens: 32768,
    pricing: { input: { usd: 0.05, diem: 0.05 }, output: { usd: 0.15, diem: 0.15 } },
    traits: ['fastest'],
    capabilities: {
      optimizedForCode: false,
      quantization: 'fp8',
      supportsAudioInput: false,
      supportsFunctionCalling: true,
      supportsLogProbs: false,
      supportsMultipleImages: false,
      supportsReasoning: true,
      supportsReasoningEffort: false,
      supportsResponseSchema: true,
      supportsTeeAttestation: false,
      supportsE2EE: false,
      supportsVideoInput: false,
      supportsVision: false,
      supportsWebSearch: true,
      supportsXSearch: false,
    },
  },
}

/** The loaded catalogue with lookup helpers. */
export type ModelCatalog = {
  models: ModelEntry[]
  /** Text traits (`default`, `fastest`, …). */
  traits: Record<string, string>
  /** Traits per model type, from each model's `model_spec.traits` (text: the traits snapshot). */
  traitsByType: Map<string, Record<string, string>>
  compatibility: Record<string, string>
  byId: Map<string, ModelEntry>
}

let cached: ModelCatalog | undefined

/**
 * Loads (once) the snapshot served by `/models` and `/models/traits`.
 *
 * @example
 * ```ts
 * loadCatalog().traits.fastest // 'qwen3-4b'
 * ```
 */
export function loadCatalog(): ModelCatalog {
  if (cached) return cached
  const read = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`../data/${name}`, import.meta.url)), 'utf8'))
  const models = [QWEN3_4B, ...(read('models.snapshot.json') as ModelEntry[])].map((m) => ({ ...m, object: 'model', owned_by: 'venice.ai' }))
  const traits: Record<string, string> = { ...(read('traits.snapshot.json') as Record<string, string>), fastest: QWEN3_4B.id }
  const compatibility: Record<string, string> = {
    'gpt-4o': traits.default!,
    'gpt-4o-mini': QWEN3_4B.id,
    'gpt-3.5-turbo': QWEN3_4B.id,
    'o1-mini': traits.default_reasoning!,
    'deepseek-r1': traits.default_reasoning!,
    'llama-3.3-70b-instruct': 'llama-3.3-70b',
  }
  const traitsByType = new Map<string, Record<string, string>>()
  for (const m of models) {
    const forType = traitsByType.get(m.type) ?? {}
    for (const t of m.model_spec.traits) forType[t] ??= m.id
    traitsByType.set(m.type, forType)
  }
  traitsByType.set('text', traits)
  cached = { models, traits, traitsByType, compatibility, byId: new Map(models.map((m) => [m.id, m])) }
  return cached
}

/** A request's `model` string resolved: the real model plus the feature-suffix parameters. */
export type ResolvedModel = { model: ModelEntry; requested: string; suffix: Record<string, string | boolean> }

/**
 * Resolves a model id, trait (`default`, `fastest`, …) or compatibility alias, with an optional
 * feature suffix `model:key=value&key=value` (values `true`/`false` become booleans). Traits are
 * looked up among models of `type` (default `text`).
 *
 * @returns undefined when nothing matches.
 * @example
 * ```ts
 * resolveModel(loadCatalog(), 'fastest:strip_thinking_response=true')
 * // { model: { id: 'qwen3-4b', … }, suffix: { strip_thinking_response: true }, requested: … }
 * ```
 */
export function resolveModel(catalog: ModelCatalog, requested: string, type = 'text'): ResolvedModel | undefined {
  const colon = requested.indexOf(':')
  const base = colon === -1 ? requested : requested.slice(0, colon)
  const suffix: Record<string, string | boolean> = {}
  if (colon !== -1) {
    for (const pair of requested.slice(colon + 1).split('&')) {
      if (!pair) continue
      const [k, v = 'true'] = pair.split('=')
      if (k) suffix[k] = v === 'true' ? true : v === 'false' ? false : decodeURIComponent(v)
    }
  }
  const id = catalog.byId.has(base) ? base : (catalog.traitsByType.get(type)?.[base] ?? (type === 'text' ? catalog.compatibility[base] : undefined))
  const model = id === undefined ? undefined : catalog.byId.get(id)
  return model ? { model, requested, suffix } : undefined
}

/**
 * The rate-limit tier of a model: XS for the small documented models, S for the Venice uncensored
 * and Mistral families, then by output price per 1M tokens (< $1 → S, < $5 → M, else L).
 *
 * @example
 * ```ts
 * tierOf(loadCatalog().byId.get('qwen3-4b')!) // 'XS'
 * ```
 */
export function tierOf(model: ModelEntry): Tier {
  if (model.id === 'qwen3-4b' || model.id === 'llama-3.2-3b') return 'XS'
  if (/^(venice-uncensored|mistral)/.test(model.id)) return 'S'
  const out = model.model_spec.pricing?.output?.usd ?? 0
  return out < 1 ? 'S' : out < 5 ? 'M' : 'L'
}

/**
 * USD price of a request: tokens × the model's per-1M prices (the Diem price is equal in the snapshot).
 *
 * @example
 * ```ts
 * priceOf(loadCatalog().byId.get('qwen3-4b')!, 1_000_000, 1_000_000) // 0.2
 * ```
 */
export function priceOf(model: ModelEntry, promptTokens: number, completionTokens: number): number {
  const p = model.model_spec.pricing
  return ((p?.input?.usd ?? 0) * promptTokens + (p?.output?.usd ?? 0) * completionTokens) / 1_000_000
}
