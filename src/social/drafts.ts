import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { atomicWrite } from '../util/atomicWrite.js'

const draftSchema = z.object({
  key: z.string(),
  topic: z.string(),
  text: z.string(),
  image: z.string().optional(),
  alt: z.string().optional(),
  costDiem: z.number(),
  captionCostDiem: z.number(),
  composedAt: z.string(),
  done: z.boolean(),
  published: z.array(z.object({ channel: z.string(), id: z.string(), url: z.string().optional() })).default([]),
})
const fileSchema = z.object({ version: z.literal(1), drafts: z.array(draftSchema) })

/** A composed post: written (atomic, 0600) before anything is published, so a restart publishes this text, not a new one. */
export type Draft = z.infer<typeof draftSchema>

/**
 * The bot's composed posts, oldest first (the last 200 are kept).
 *
 * @example
 * ```ts
 * const drafts = draftStore('.gondola/social/social-bot.drafts.json')
 * const pending = (await drafts.load()).find((d) => !d.done)
 * ```
 */
export function draftStore(path: string) {
  return {
    path,
    async load(): Promise<Draft[]> {
      const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)))
      return text === undefined ? [] : fileSchema.parse(JSON.parse(text)).drafts
    },
    async save(drafts: Draft[]): Promise<void> {
      await atomicWrite(path, JSON.stringify({ version: 1, drafts: drafts.slice(-200) }))
    },
  }
}
