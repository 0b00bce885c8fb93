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
}

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
  }
  return shared
}

type Operation = {
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>
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
