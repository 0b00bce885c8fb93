import { z } from 'zod'

const text = z.string()
const lines = z.union([text, z.array(text)]).transform((v) => (Array.isArray(v) ? v : [v]))
/** One message of an example conversation: classic `{ user, content }` or current `{ name, content }`. */
const exampleMessage = z.looseObject({ user: text.optional(), name: text.optional(), content: z.looseObject({ text: text.optional() }) })
const knowledgeEntry = z.union([text, z.looseObject({ path: text, shared: z.boolean().optional() }), z.looseObject({ directory: text, shared: z.boolean().optional() })])

/**
 * An ElizaOS character file, classic (v0: `clients`, `modelProvider`, `lore`, `{{user1}}` examples) or current
 * (v1: `plugins`, `knowledge` entries with `path`/`directory`, `{{name1}}` examples). Unknown fields pass through
 * so that the import report can name them.
 */
export const elizaCharacterSchema = z.looseObject({
  name: text.min(1),
  username: text.optional(),
  system: text.optional(),
  bio: lines.optional(),
  lore: lines.optional(),
  knowledge: z.array(knowledgeEntry).optional(),
  messageExamples: z.array(z.array(exampleMessage)).optional(),
  postExamples: lines.optional(),
  topics: lines.optional(),
  adjectives: lines.optional(),
  style: z.looseObject({ all: lines.optional(), chat: lines.optional(), post: lines.optional() }).optional(),
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
