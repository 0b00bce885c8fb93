import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { atomicWrite } from '../util/atomicWrite.js'
import type { Channel, Post, Published } from './types.js'

const entrySchema = z.object({
  key: z.string(),
  channel: z.string(),
  state: z.enum(['intent', 'published']),
  id: z.string().optional(),
  url: z.string().optional(),
  at: z.string(),
  attemptedAt: z.number().optional(),
})
const fileSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) })
type Journal = z.infer<typeof fileSchema>

async function load(path: string): Promise<Journal> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)))
  return text === undefined ? { version: 1, entries: [] } : fileSchema.parse(JSON.parse(text))
}

/**
 * Publishes `post` on `channel` at most once per `key`: the intent is journalled (atomic, 0600) before the
 * publish and the channel's id after it. On a rerun after a crash between the two, the channel is asked
 * (`findPublished`) before anything is sent again, and the publish is retried with the same idempotency key.
 * One writer per journal file (one bot process); the journal is not locked across processes.
 *
 * @example
 * ```ts
 * const { id, resumed } = await publishOnce({ channel: outboxChannel({ dir: '.gondola/outbox' }), journalPath: '.gondola/posts.json', key: 'marco:2026-11-30T10', post: { text: 'gm' } })
 * ```
 */
export async function publishOnce(o: {
  channel: Channel
  journalPath: string
  key: string
  post: Post
  now?: () => number
}): Promise<Published & { resumed: boolean }> {
  const now = () => new Date((o.now ?? Date.now)()).toISOString()
  const journal = await load(o.journalPath)
  const existing = journal.entries.find((e) => e.key === o.key && e.channel === o.channel.name)
  if (existing?.state === 'published') return { id: existing.id!, url: existing.url, resumed: true }
  const attemptedAt = existing?.attemptedAt ?? (o.now ?? Date.now)()
  const options = { idempotencyKey: o.key, attemptedAt }
  if (existing) {
    const found = await o.channel.findPublished?.(o.key, options)
    if (found) {
      Object.assign(existing, { state: 'published', id: found.id, url: found.url, at: now() })
      await atomicWrite(o.journalPath, JSON.stringify(journal))
      return { ...found, resumed: true }
    }
  } else {
    journal.entries.push({ key: o.key, channel: o.channel.name, state: 'intent', at: now(), attemptedAt })
    await atomicWrite(o.journalPath, JSON.stringify(journal))
  }
  const published = await o.channel.publish(o.post, options)
  const entry = journal.entries.find((e) => e.key === o.key && e.channel === o.channel.name)!
  Object.assign(entry, { state: 'published', id: published.id, ...(published.url && { url: published.url }), at: now() })
  await atomicWrite(o.journalPath, JSON.stringify(journal))
  return { ...published, resumed: false }
}
