import { readFile } from 'node:fs/promises'
import type { Event } from 'nostr-tools/pure'
import type { SimplePool } from 'nostr-tools/pool'
import { importOptional, requireOptional } from '../../util/optionalDependency.js'
import { z } from 'zod'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { atomicWrite } from '../../util/atomicWrite.js'
import { sleep as defaultSleep } from '../../util/sleep.js'
import type { Channel, Published } from '../types.js'

// nostr-tools is an optional peer dependency, loaded when a Nostr channel is made (signing) or first used (relays).
const FEATURE = 'The Nostr channel'
let pure: typeof import('nostr-tools/pure') | undefined
const nostrPure = () => (pure ??= requireOptional<typeof import('nostr-tools/pure')>('nostr-tools/pure', FEATURE))
let poolModule: Promise<typeof import('nostr-tools/pool')> | undefined

/** The relay pool module (the ES module instance callers import too), given `ws` once. */
function nostrPool(): Promise<typeof import('nostr-tools/pool')> {
  poolModule ??= (async () => {
    const [m, ws] = await Promise.all([
      importOptional<typeof import('nostr-tools/pool')>('nostr-tools/pool', FEATURE),
      importOptional<{ default: typeof import('ws') }>('ws', FEATURE),
    ])
    // Node 20 has no global WebSocket client: nostr-tools is given `ws`.
    m.useWebSocketImplementation(ws.default)
    return m
  })()
  return poolModule
}

/** A relay refused an event, none was reachable, or the bot's key is invalid. */
export class NostrError extends BaseError {
  override name = 'NostrError' as const
}

/** The tag that carries a post's idempotency key, so a restart finds a note it published before a crash. */
const KEY_TAG = 'gondola-key'

function secretKeyFrom(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/i.test(hex))
    throw new NostrError('The Nostr secret key must be 64 hex characters.', { code: 'NOSTR_BAD_KEY', exitCode: ExitCode.config })
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** How `publishEvent` waits out relays that answer `rate-limited:` (NIP-01's machine-readable OK prefix). */
export type NostrBackoff = { maxRetries?: number | undefined; maxWaitMs?: number | undefined; sleep?: ((ms: number) => Promise<void>) | undefined }

async function publishEvent(pool: SimplePool, relays: string[], event: Event, backoff: NostrBackoff = {}): Promise<void> {
  const maxRetries = backoff.maxRetries ?? 3
  // Relays speak websockets, not REST: their NIP-01 `rate-limited:` answer carries no Retry-After, so 1 s·2ⁿ.
  const sleep = backoff.sleep ?? defaultSleep
  for (let attempt = 0; ; attempt++) {
    const results = await Promise.allSettled(pool.publish(relays, event))
    if (results.some((r) => r.status === 'fulfilled')) return
    const reasons = results.map((r) => (r.status === 'rejected' ? String((r.reason as Error)?.message ?? r.reason) : '')).filter(Boolean)
    // Every relay said "slow down": the same signed event is sent again after 1 s·2ⁿ (relays store an id once).
    if (attempt < maxRetries && reasons.length && reasons.every((m) => m.startsWith('rate-limited'))) {
      await sleep(Math.min(backoff.maxWaitMs ?? 60_000, 1000 * 2 ** attempt))
      continue
    }
    throw new NostrError(`No relay accepted the note (${reasons.join('; ')}).`, { code: 'NOSTR_PUBLISH_FAILED', exitCode: ExitCode.network })
  }
}

/**
 * Nostr: kind-1 notes signed with the bot's own key (hex, from env or a 0600 file; never printed), published
 * to every relay; at least one must accept (when every relay answers `rate-limited:`, the same event is sent again
 * after 1 s·2ⁿ). Each note carries its idempotency key in a tag, so `findPublished` can find a note published just
 * before a crash.
 *
 * @example
 * ```ts
 * const nostr = nostrChannel({ relays: ['wss://relay.example'], secretKeyHex: process.env.NOSTR_KEY! })
 * await nostr.publish({ text: 'gm' }, { idempotencyKey: 'marco:1' })
 * ```
 */
export function nostrChannel(o: {
  relays: string[]
  secretKeyHex: string
  pool?: SimplePool
  now?: () => number
  backoff?: NostrBackoff
}): Channel & { pubkey: string; close(): void } {
  if (!o.relays.length) throw new NostrError('No Nostr relays configured.', { code: 'NOSTR_NO_RELAYS', exitCode: ExitCode.config })
  const sk = secretKeyFrom(o.secretKeyHex)
  const { getPublicKey, finalizeEvent } = nostrPure()
  const pubkey = getPublicKey(sk)
  let pool = o.pool
  const poolOf = async () => {
    const { SimplePool } = await nostrPool()
    return (pool ??= new SimplePool())
  }
  return {
    name: 'nostr',
    pubkey,
    async publish(post, { idempotencyKey, attemptedAt }): Promise<Published> {
      // Signed at the first attempt's time: a retry re-sends the very same event (same id), which relays store once.
      // Nostr has no blob store: the note carries the text only (an image would need an upload host; see README).
      const event = finalizeEvent(
        { kind: 1, created_at: Math.floor((attemptedAt ?? (o.now ?? Date.now)()) / 1000), tags: [[KEY_TAG, idempotencyKey]], content: post.text },
        sk,
      )
      await publishEvent(await poolOf(), o.relays, event, o.backoff)
      return { id: event.id }
    },
    async findPublished(idempotencyKey) {
      const notes = await (await poolOf()).querySync(o.relays, { kinds: [1], authors: [pubkey], limit: 500 }, { maxWait: 3000 })
      const note = notes.find((e) => e.tags.some((t) => t[0] === KEY_TAG && t[1] === idempotencyKey))
      return note ? { id: note.id } : undefined
    },
    close: () => pool?.close(o.relays),
  }
}

/** A mention put off to a later time (the day's budget is spent): kept whole, so a restart still answers it. */
const deferredSchema = z.object({
  event: z.looseObject({
    id: z.string(),
    pubkey: z.string(),
    created_at: z.number(),
    kind: z.number(),
    tags: z.array(z.array(z.string())),
    content: z.string(),
    sig: z.string(),
  }),
  at: z.number(),
})
const stateSchema = z.object({
  since: z.number().int(),
  answered: z.record(z.string(), z.string().nullable()),
  deferred: z.record(z.string(), deferredSchema).default({}),
})

/**
 * What `answer` throws to put a mention off: it is answered at `retryAt` (ms) while the process runs, or at the
 * next start after that time. Any error with a numeric `retryAt` counts (the social bot's `DailyBudgetError`).
 */
export type DeferMention = { retryAt: number }
const retryAtOf = (err: unknown): number | undefined => {
  const at = (err as Partial<DeferMention> | null)?.retryAt
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined
}
type MentionState = z.infer<typeof stateSchema>

/**
 * Answers mentions of the bot (kind-1 notes with a `#p` tag naming it), once per event: the cursor and the
 * answered ids live in `statePath` (atomic, 0600). An event is marked before its reply is sent; on restart a
 * marked-but-unconfirmed event is answered only if the relays hold no reply from the bot to it. An `answer` that
 * throws an error with a `retryAt` (the day's budget is spent) puts the mention off: it is kept in the state file
 * and answered at that time while the process runs, or at the next start after it. Returns a stop function.
 *
 * @example
 * ```ts
 * const stop = await replyToMentions({ relays, secretKeyHex, statePath: '.gondola/nostr-mentions.json', answer: async (e) => `Thanks: ${e.content}` })
 * ```
 */
export async function replyToMentions(o: {
  relays: string[]
  secretKeyHex: string
  statePath: string
  answer: (event: Event) => Promise<string>
  onReply?: (reply: Event, to: Event) => void
  onError?: (err: unknown, to: Event) => void
  now?: () => number
}): Promise<{ pubkey: string; stop: () => Promise<void> }> {
  const sk = secretKeyFrom(o.secretKeyHex)
  const { getPublicKey, finalizeEvent } = nostrPure()
  const pubkey = getPublicKey(sk)
  const pool = new (await nostrPool()).SimplePool()
  const now = () => Math.floor((o.now ?? Date.now)() / 1000)
  const text = await readFile(o.statePath, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)))
  const state: MentionState = text === undefined ? { since: now(), answered: {}, deferred: {} } : stateSchema.parse(JSON.parse(text))
  const save = () => atomicWrite(o.statePath, JSON.stringify(state))
  let queue = Promise.resolve()
  const timers = new Set<NodeJS.Timeout>()
  let stopped = false
  const enqueue = (event: Event) => {
    queue = queue.then(() => handle(event)).catch((err) => o.onError?.(err, event))
  }
  /** Answers a put-off mention at its time (a timer while running; the next start when that time has passed). */
  const schedule = (event: Event, at: number) => {
    const timer = setTimeout(
      () => {
        timers.delete(timer)
        if (!stopped) enqueue(event)
      },
      Math.max(0, at - (o.now ?? Date.now)()),
    )
    timer.unref?.()
    timers.add(timer)
  }

  const handle = async (event: Event) => {
    if (event.pubkey === pubkey || event.kind !== 1) return
    if (!event.tags.some((t) => t[0] === 'p' && t[1] === pubkey)) return
    if (state.answered[event.id] !== undefined) {
      if (state.answered[event.id] !== null) return
      // Marked but not confirmed: a crash came between marking and confirming. Ask the relays.
      const mine = await pool.querySync(o.relays, { kinds: [1], authors: [pubkey], '#e': [event.id] }, { maxWait: 3000 })
      if (mine.length) {
        state.answered[event.id] = mine[0]!.id
        await save()
        return
      }
    }
    state.answered[event.id] = null
    state.since = Math.max(state.since, event.created_at)
    delete state.deferred[event.id]
    await save()
    let content: string
    try {
      content = await o.answer(event)
    } catch (err) {
      const at = retryAtOf(err)
      if (at !== undefined) {
        // Not answered, not lost: kept with its time, answered then (and on a restart after it).
        delete state.answered[event.id]
        state.deferred[event.id] = { event, at }
        await save()
        schedule(event, at)
      }
      throw err
    }
    const reply = finalizeEvent(
      {
        kind: 1,
        created_at: now(),
        tags: [
          ['e', event.id, o.relays[0]!, 'reply'],
          ['p', event.pubkey],
        ],
        content,
      },
      sk,
    )
    await publishEvent(pool, o.relays, reply)
    state.answered[event.id] = reply.id
    await save()
    o.onReply?.(reply, event)
  }

  if (text === undefined) await save()
  for (const d of Object.values(state.deferred)) schedule(d.event as Event, d.at)
  const sub = pool.subscribeMany(
    o.relays,
    { kinds: [1], '#p': [pubkey], since: Math.max(0, state.since - 60) },
    {
      onevent: (event) => {
        if (state.deferred[event.id]) return // its timer answers it
        enqueue(event)
      },
    },
  )
  return {
    pubkey,
    stop: async () => {
      stopped = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
      sub.close()
      await queue
      pool.close(o.relays)
    },
  }
}
