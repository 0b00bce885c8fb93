import { z } from 'zod'

const text = z.string()

/** Every string in a value that real files give as a string, a list, or lists of lists (`postExamples: [["…"]]`). */
function strings(v: unknown): unknown {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || (Array.isArray(x) && x.every((y) => typeof y === 'string')))) return v.flat()
  return v
}
const lines = z.preprocess(strings, z.array(text))

/** One message of an example conversation: classic `{ user, content }`, current `{ name, content }`, or a bare string. */
const exampleMessage = z.union([
  text,
  z.looseObject({ user: text.optional(), name: text.optional(), content: z.union([text, z.looseObject({ text: text.optional() })]) }),
])
const knowledgeEntry = z.union([
  text,
  z.looseObject({ path: text, shared: z.boolean().optional() }),
  z.looseObject({ directory: text, shared: z.boolean().optional() }),
])
/** A list of entries, or (as some starter files have it) an object of topics, each a list of facts. */
const knowledge = z.union([z.array(knowledgeEntry), z.record(text, z.preprocess(strings, z.array(text)))])

/**
 * An ElizaOS character file as real files write it: classic (v0: `clients`, `modelProvider`, `lore`, `{{user1}}`
 * examples), current (v1: `plugins`, `knowledge` entries with `path`/`directory`, `{{name1}}` examples,
 * `templates`), and the shapes starter files use (a string `bio`, `knowledge` as an object of topics, example
 * conversations as lists of strings, nested `postExamples`). Unknown fields pass through so that the import report
 * can name them.
 */
export const elizaCharacterSchema = z.looseObject({
  name: text.min(1),
  username: text.optional(),
  system: text.optional(),
  bio: lines.optional(),
  lore: lines.optional(),
  knowledge: knowledge.optional(),
  messageExamples: z.array(z.array(exampleMessage)).optional(),
  postExamples: lines.optional(),
  topics: lines.optional(),
  adjectives: lines.optional(),
  style: z.looseObject({ all: lines.optional(), chat: lines.optional(), post: lines.optional() }).optional(),
  templates: z.record(text, z.unknown()).optional(),
  /** Some files put the model at the top level rather than in `settings`. */
  model: text.optional(),
  settings: z
    .looseObject({
      model: text.optional(),
      voice: z.union([text, z.looseObject({ model: text.optional(), url: text.optional() })]).optional(),
      secrets: z.record(text, z.unknown()).optional(),
    })
    .optional(),
  secrets: z.record(text, z.unknown()).optional(),
  plugins: z.array(z.unknown()).optional(),
  clients: z.array(z.unknown()).optional(),
  modelProvider: text.optional(),
})

export type ElizaCharacterInput = z.input<typeof elizaCharacterSchema>
export type ElizaCharacterParsed = z.output<typeof elizaCharacterSchema>
