import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Channel, Published } from '../types.js'

/**
 * The offline default channel: one JSONL line per post in `<dir>/outbox.jsonl`, carrying its idempotency key,
 * so a post appended just before a crash is found (not appended again) on restart.
 *
 * @example
 * ```ts
 * const channel = outboxChannel({ dir: '.gondola/outbox' })
 * await channel.publish({ text: 'gm' }, { idempotencyKey: 'marco:1' })
 * ```
 */
export function outboxChannel(o: { dir: string; now?: () => number }): Channel {
  const path = join(o.dir, 'outbox.jsonl')
  return {
    name: 'outbox',
    async publish(post, { idempotencyKey }): Promise<Published> {
      await mkdir(o.dir, { recursive: true })
      const line = {
        at: new Date((o.now ?? Date.now)()).toISOString(),
        id: idempotencyKey,
        ...(post.agent && { agent: post.agent }),
        text: post.text,
        ...(post.image && { image: post.image }),
      }
      await appendFile(path, `${JSON.stringify(line)}\n`, { mode: 0o644 })
      return { id: idempotencyKey }
    },
    async findPublished(idempotencyKey) {
      const text = await readFile(path, 'utf8').catch(() => '')
      for (const l of text.split('\n')) {
        if (!l.trim()) continue
        try {
          if ((JSON.parse(l) as { id?: string }).id === idempotencyKey) return { id: idempotencyKey }
        } catch {
          // A torn last line from a crash mid-append: not a published post.
        }
      }
      return undefined
    },
  }
}
