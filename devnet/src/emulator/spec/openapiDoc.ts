/**
 * Loads Venice's official OpenAPI 3.0 spec (a copy of `shared/venice/openapi.yaml`) and turns it
 * into plain JSON Schema that ajv understands: OpenAPI 3.0 `nullable` becomes a `'null'` type.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** Where the spec copy lives beside this file. */
export const VENICE_SPEC_PATH = fileURLToPath(new URL('./openapi.yaml', import.meta.url))

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

let cached: Record<string, unknown> | undefined

/**
 * The parsed, converted spec (memoised: parsing the 570 KB YAML takes ~250 ms once per process).
 *
 * @example
 * ```ts
 * const spec = loadVeniceSpec()
 * Object.keys(spec.paths as object).includes('/chat/completions') // true
 * ```
 */
export function loadVeniceSpec(): Record<string, unknown> {
  cached ??= toJsonSchema(parse(readFileSync(VENICE_SPEC_PATH, 'utf8')) as Json) as Record<string, unknown>
  return cached
}

/**
 * Converts OpenAPI 3.0 schema dialect to JSON Schema, recursively:
 * - `{ type: T, nullable: true }` → `{ type: [T, 'null'] }` (and `null` joins any `enum`);
 * - `{ nullable: true, title: 'null' }` (the spec's way of writing a null branch) → `{ type: 'null' }`;
 * - any other `nullable` without `type` accepts anything, as in OpenAPI 3.0;
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` become numeric bounds.
 *
 * @example
 * ```ts
 * toJsonSchema({ type: 'string', nullable: true }) // { type: ['string', 'null'] }
 * ```
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== 'object') return node
  const out: { [k: string]: Json } = {}
  for (const [k, v] of Object.entries(node)) {
    if (k === 'example' || k === 'examples') continue
    out[k] = k === 'enum' || k === 'default' || k === 'const' ? v : toJsonSchema(v)
  }
  // OpenAPI 3.0 (draft 4) boolean exclusive bounds → draft 7 numeric ones.
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound]
      delete out[bound]
    } else if (typeof out[flag] === 'boolean') delete out[flag]
  }
  if (out.nullable === true) {
    delete out.nullable
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null']
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    } else if (out.type === undefined && out.title === 'null' && Object.keys(out).length === 1) {
      out.type = 'null'
    }
  } else if (out.nullable === false) delete out.nullable
  return out
}
