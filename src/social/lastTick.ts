/**
 * When the bot's schedule last ticked, kept in `<stateDir>/<agent>.schedule.json` (atomic, 0600), so a restart
 * keeps the `--every` rate instead of posting at once.
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { atomicWrite } from '../util/atomicWrite.js'

const fileSchema = z.object({ version: z.literal(1), lastStartedAt: z.string().datetime() })

/**
 * The tick file of one bot.
 *
 * @example
 * ```ts
 * const ticks = lastTickFile('.gondola/social/social-bot.schedule.json')
 * await ticks.record(Date.now())
 * await ticks.read() // 1764547500000
 * ```
 */
export function lastTickFile(path: string) {
  return {
    path,
    /** The last tick's start (ms), or undefined when there is none or the file cannot be read (then the bot ticks at once). */
    async read(): Promise<number | undefined> {
      const text = await readFile(path, 'utf8').catch(() => undefined)
      if (text === undefined) return undefined
      try {
        const parsed = fileSchema.safeParse(JSON.parse(text))
        return parsed.success ? Date.parse(parsed.data.lastStartedAt) : undefined
      } catch {
        return undefined
      }
    },
    record: (at: number): Promise<void> => atomicWrite(path, `${JSON.stringify({ version: 1, lastStartedAt: new Date(at).toISOString() })}\n`, { mode: 0o600 }),
  }
}
