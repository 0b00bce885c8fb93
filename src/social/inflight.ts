/**
 * The bot's in-flight markers, kept in `<stateDir>/<agent>.inflight.json` (atomic, 0600): one is written before
 * each paid call (caption, reply, image) and removed once the call's ledger line is on disk. A marker left behind
 * means the process died with that call in flight: Venice may have billed it, and the ledger does not have it
 * (`reconcileInflight` settles it from Venice's billing ledger).
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { atomicWrite } from '../util/atomicWrite.js'

const markerSchema = z.object({
  id: z.string(),
  /** When the call was about to be sent (ms, this machine's clock). */
  at: z.number(),
  /** `chat` (a caption or a reply: token-metered, billed with a request id) or `image`. */
  kind: z.enum(['chat', 'image']),
  model: z.string(),
  /** What the call was expected to cost (Diem): counted in the day's spend while the marker is unsettled. */
  estimateDiem: z.number(),
})
const fileSchema = z.object({ version: z.literal(1), markers: z.array(markerSchema) })

/** One paid call that was sent (or about to be) and not yet recorded. */
export type InflightMarker = z.infer<typeof markerSchema>

/**
 * The marker file of one bot. Writes are serialised (a reply and a post can be in flight together).
 *
 * @example
 * ```ts
 * const inflight = inflightStore('.gondola/social/social-bot.inflight.json')
 * const marker = await inflight.add({ kind: 'chat', model: 'default', estimateDiem: 0.002 })
 * // … the call, its ledger line flushed …
 * await inflight.remove(marker.id)
 * ```
 */
export function inflightStore(path: string, now: () => number = Date.now) {
  let queue: Promise<unknown> = Promise.resolve()
  const load = async (): Promise<InflightMarker[]> => {
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)))
    return text === undefined ? [] : fileSchema.parse(JSON.parse(text)).markers
  }
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step)
    queue = next.catch(() => {})
    return next
  }
  const update = <T>(change: (markers: InflightMarker[]) => { markers: InflightMarker[]; result: T }): Promise<T> =>
    serial(async () => {
      const { markers, result } = change(await load())
      await atomicWrite(path, `${JSON.stringify({ version: 1, markers })}\n`, { mode: 0o600 })
      return result
    })
  return {
    path,
    /** The markers left, oldest first. */
    load: (): Promise<InflightMarker[]> => serial(load),
    /** Records a call about to be sent; resolves once the marker is on disk. */
    add: (m: Omit<InflightMarker, 'id' | 'at'>): Promise<InflightMarker> =>
      update((markers) => {
        const marker = { id: randomUUID(), at: now(), ...m }
        return { markers: [...markers, marker], result: marker }
      }),
    /** Forgets a marker (its call is recorded, settled from billing, or was never billed). */
    remove: (id: string): Promise<void> => update((markers) => ({ markers: markers.filter((m) => m.id !== id), result: undefined })),
  }
}

/** The marker file as returned by `inflightStore`. */
export type InflightStore = ReturnType<typeof inflightStore>
