/**
 * ajv validators compiled from the Venice spec, for request bodies (the emulator's 400s) and
 * response bodies (tests). Each validator is compiled once and cached.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { loadVeniceSpec } from './openapiDoc.js'

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => void

const SPEC_ID = 'venice'

/** Validators for request and response bodies, keyed by spec path (`/chat/completions`), method and status. */
export type SpecValidators = {
  /** Validator of the JSON request body of `method path`, or undefined when the spec defines none. */
  request(path: string, method: string): ValidateFunction | undefined
  /** Validator of the JSON response body for `status`, or undefined when the spec defines none. */
  response(path: string, method: string, status: number): ValidateFunction | undefined
  /**
   * Checks a query string against the spec's `in: query` parameters of `method path` (inline ones),
   * coercing integer, number and boolean values from text first. Unknown parameters are ignored.
   */
  query(path: string, method: string): QueryValidator
  /** Validator of a named schema under `components/schemas` (e.g. `X402InferencePaymentRequired`), or undefined. */
  component(name: string): ValidateFunction | undefined
}

/** Result of a query check: the coerced values, or ajv's errors (paths are `/name`). */
export type QueryValidator = (raw: Record<string, unknown>) => { ok: true; value: Record<string, unknown> } | { ok: false; errors: ErrorObject[] }

let shared: SpecValidators | undefined

/**
 * The process-wide spec validators (the spec is parsed and added to ajv once).
 *
 * @example
 * ```ts
 * const v = getSpecValidators().request('/api_keys/generate_web3_key', 'post')!
 * v({ address: '0x0' }) // false: apiKeyType, signature and token are required
 * ```
 */
export function getSpecValidators(): SpecValidators {
  if (shared) return shared
  const spec = loadVeniceSpec()
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, logger: false })
  addFormats(ajv)
  ajv.addSchema(spec, SPEC_ID)
  const paths = spec.paths as Record<string, Record<string, Operation>>
  const cache = new Map<string, ValidateFunction | undefined>()
  const compile = (key: string, pointer: string | undefined): ValidateFunction | undefined => {
    if (cache.has(key)) return cache.get(key)
    const fn = pointer === undefined ? undefined : ajv.compile({ $ref: `${SPEC_ID}#${pointer}` })
    cache.set(key, fn)
    return fn
  }
  shared = {
    request(path, method) {
      const m = method.toLowerCase()
      const has = paths[path]?.[m]?.requestBody?.content?.['application/json']?.schema !== undefined
      return compile(`req ${m} ${path}`, has ? `/paths/${esc(path)}/${m}/requestBody/content/application~1json/schema` : undefined)
    },
    response(path, method, status) {
      const m = method.toLowerCase()
      const has = paths[path]?.[m]?.responses?.[String(status)]?.content?.['application/json']?.schema !== undefined
      return compile(`res ${m} ${path} ${status}`, has ? `/paths/${esc(path)}/${m}/responses/${status}/content/application~1json/schema` : undefined)
    },
    component(name) {
      const has = (spec.components as { schemas?: Record<string, unknown> } | undefined)?.schemas?.[name] !== undefined
      return compile(`component ${name}`, has ? `/components/schemas/${esc(name)}` : undefined)
    },
    query(path, method) {
      const m = method.toLowerCase()
      const params = (paths[path]?.[m]?.parameters ?? []).map((p, i) => ({ ...p, i })).filter((p) => p.in === 'query' && p.name)
      const key = `query ${m} ${path}`
      let validate = cache.get(key)
      if (!validate) {
        const properties = Object.fromEntries(params.map((p) => [p.name, { $ref: `${SPEC_ID}#/paths/${esc(path)}/${m}/parameters/${p.i}/schema` }]))
        validate = ajv.compile({ type: 'object', properties, required: params.filter((p) => p.required).map((p) => p.name) })
        cache.set(key, validate)
      }
      const check = validate
      return (raw) => {
        const value: Record<string, unknown> = {}
        for (const p of params) if (raw[p.name!] !== undefined) value[p.name!] = coerce(raw[p.name!], p.schema?.type)
        return check(value) ? { ok: true, value } : { ok: false, errors: [...(check.errors ?? [])] }
      }
    },
  }
  return shared
}

type Operation = {
  parameters?: { name?: string; in?: string; required?: boolean; schema?: { type?: string } }[]
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>
}

/**
 * Query values arrive as text; numbers and booleans the spec declares are converted when they parse. A nullable
 * parameter's type is a list (`['integer', 'null']`, from OpenAPI's `nullable: true`): its first type counts.
 */
function coerce(v: unknown, declared: string | readonly string[] | undefined): unknown {
  if (typeof v !== 'string') return v
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : (declared as string | undefined)
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(v)) return Number(v)
  if (type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true'
  return v
}

function esc(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** zod-style error tree: `{ _errors: [], field: { _errors: ['…'] } }`, the shape of Venice's `details`. */
export type ErrorTree = { _errors: string[]; [field: string]: ErrorTree | string[] }

/**
 * Turns ajv errors into Venice's `details` tree (the shape zod's `format()` produces).
 *
 * @example
 * ```ts
 * toErrorTree([{ instancePath: '/model', message: 'must be string' } as ErrorObject])
 * // { _errors: [], model: { _errors: ['must be string'] } }
 * ```
 */
export function toErrorTree(errors: readonly ErrorObject[] | null | undefined): ErrorTree {
  const root: ErrorTree = { _errors: [] }
  for (const e of errors ?? []) {
    let node = root
    for (const part of e.instancePath.split('/').slice(1)) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
      node = (node[key] as ErrorTree | undefined) ?? (node[key] = { _errors: [] })
    }
    const extra = e.keyword === 'additionalProperties' ? `Unrecognized key(s) in object: '${String(e.params.additionalProperty)}'` : undefined
    const required = e.keyword === 'required' ? `${String(e.params.missingProperty)} is required` : undefined
    node._errors.push(extra ?? required ?? e.message ?? 'Invalid value')
  }
  return root
}
