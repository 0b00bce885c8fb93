import { readFile, rm } from 'node:fs/promises'
import type { AtpSessionData } from '@atproto/api'
import { requireOptional } from '../../util/optionalDependency.js'
import { atomicWrite } from '../../util/atomicWrite.js'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { isNetworkError } from '../../errors/networkError.js'
import { withRetries, type RetryableFailure } from '../../util/retry.js'
import { BLUESKY_IMAGE_LIMITS, fitImage } from '../media/fitImage.js'
import type { Channel, PublishOptions, Published } from '../types.js'
import { deterministicTid } from './tid.js'

/** Bluesky refused a login or a post, was unreachable, or a post does not fit its limits. */
export class BlueskyError extends BaseError {
  override name = 'BlueskyError' as const
}

/** Bluesky's post length: 300 graphemes. */
export const BLUESKY_MAX_GRAPHEMES = 300
const COLLECTION = 'app.bsky.feed.post'

type XrpcLike = { status?: number; error?: string; headers?: Record<string, string> }

/**
 * What an XRPC failure was, for the retry policy: an HTTP status (XRPC's own codes below 100 are not), or no
 * answer at all; `RateLimit-Reset` (unix seconds) is the window's end. Our own verdicts are never retried.
 */
function xrpcFailure(err: unknown): RetryableFailure | undefined {
  if (err instanceof BlueskyError) return undefined
  const e = err as XrpcLike
  if (typeof e.status === 'number' && e.status >= 100) {
    const reset = Number(e.headers?.['ratelimit-reset'])
    return { status: e.status, headers: e.headers, resetAtMs: Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined }
  }
  return isNetworkError(err) ? { status: undefined } : undefined
}

/**
 * Bluesky through `@atproto/api`: logs in with the handle and an app password (never printed; the session is kept in
 * an optional 0600 file and resumed on restart), posts text with
 * link and mention facets, and an image uploaded as a blob with its alt text, fitted to Bluesky's limits
 * (≤ 1,000,000 bytes, ≤ 2000 px) with sharp. The record key is derived from the idempotency key and the first
 * attempt's time, so a retry after a crash or a dropped connection addresses the same record: `findPublished`
 * reads it back, and a second create cannot make a second post. 408/409/429/5xx answers and dropped connections are
 * retried under the shared retry policy (`util/retry.ts`: Retry-After, else RateLimit-Reset, else 0.5 s → 8 s
 * backoff), up to `maxRetries` times, each wait capped at `maxWaitMs`.
 *
 * @example
 * ```ts
 * const bluesky = blueskyChannel({ service: 'https://bsky.social', handle: 'marco.bsky.social', appPassword: process.env.BSKY_APP_PASSWORD! })
 * await bluesky.publish({ text: 'gm', image: 'dawn.webp', alt: 'The lagoon at dawn' }, { idempotencyKey: 'marco:1', attemptedAt: Date.now() })
 * ```
 */
export function blueskyChannel(o: {
  service: string
  handle: string
  appPassword: string
  /** A 0600 file keeping the session tokens, so a restart resumes instead of logging in again (logins are rate-limited). */
  sessionPath?: string | undefined
  maxRetries?: number
  maxWaitMs?: number
  sleep?: (ms: number) => Promise<void>
}): Channel & { did: () => Promise<string> } {
  if (!o.handle) throw new BlueskyError('The Bluesky handle is empty.', { code: 'BLUESKY_NO_HANDLE', exitCode: ExitCode.config })
  if (!o.appPassword) throw new BlueskyError('The Bluesky app password is empty.', { code: 'BLUESKY_NO_PASSWORD', exitCode: ExitCode.config })
  const host = (() => {
    try {
      return new URL(o.service).host
    } catch {
      throw new BlueskyError('The Bluesky service is not a valid URL.', { code: 'BLUESKY_BAD_URL', exitCode: ExitCode.config })
    }
  })()
  const maxRetries = o.maxRetries ?? 3
  const maxWaitMs = o.maxWaitMs ?? 60_000
  // Session-file writes, in the order the agent reported them (a later one must not be overtaken by an earlier one).
  let saving: Promise<void> = Promise.resolve()
  const save = (write: () => Promise<unknown>): void => {
    saving = saving.then(write).then(
      () => undefined,
      () => undefined,
    )
  }
  // An optional peer dependency (≈40 MB), loaded when a Bluesky channel is made.
  const { AtpAgent, RichText } = requireOptional<typeof import('@atproto/api')>('@atproto/api', 'The Bluesky channel')
  const agent = new AtpAgent({
    service: o.service,
    // Tokens are credentials: kept only in the 0600 session file (atomic), removed when the server expires them.
    persistSession: (event, session) => {
      if (!o.sessionPath) return
      const path = o.sessionPath
      if ((event === 'create' || event === 'update') && session) return save(() => atomicWrite(path, JSON.stringify(session)))
      if (event === 'expired') return save(() => rm(path, { force: true }))
    },
  })
  const resume = async (): Promise<boolean> => {
    if (!o.sessionPath) return false
    const text = await readFile(o.sessionPath, 'utf8').catch(() => undefined)
    if (!text) return false
    try {
      const saved = JSON.parse(text) as AtpSessionData
      if (saved.handle !== o.handle && saved.did !== o.handle) return false
      await agent.resumeSession(saved)
      return Boolean(agent.session)
    } catch {
      return false // expired or revoked: log in again
    }
  }
  let session: Promise<string> | undefined

  /** Runs `call` under the shared retry policy; any failure left becomes a BlueskyError naming the host (never the password). */
  async function withBackoff<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(call, { maxRetries, maxWaitMs, sleep: o.sleep, classify: xrpcFailure })
    } catch (err) {
      if (err instanceof BlueskyError) throw err
      const e = err as XrpcLike
      const detail = e.error && e.error !== 'Unknown' ? `${e.error}${e.status ? ` (${e.status})` : ''}` : String((err as Error)?.message ?? err)
      throw new BlueskyError(`Bluesky at ${host}: ${what} failed: ${detail.replaceAll(o.appPassword, '***')}.`, {
        code: 'BLUESKY_REQUEST',
        exitCode: e.status === 401 || e.error === 'AuthenticationRequired' ? ExitCode.config : ExitCode.network,
      })
    }
  }

  const did = () =>
    (session ??= withBackoff(`login as ${o.handle}`, async () => {
      if (!(await resume())) await agent.login({ identifier: o.handle, password: o.appPassword })
      // The session is on disk before it is used: a process killed after its first post still resumes next time.
      await saving
      return agent.session!.did
    }).catch((err) => {
      session = undefined
      throw err
    }))

  async function existing(rkey: string): Promise<Published | undefined> {
    const repo = await did()
    try {
      const r = await agent.com.atproto.repo.getRecord({ repo, collection: COLLECTION, rkey })
      return { id: r.data.uri, url: postUrl(o.service, o.handle, rkey) }
    } catch (err) {
      const e = err as XrpcLike
      if (e.status === 400 && e.error === 'RecordNotFound') return undefined
      if (e.error === 'RecordNotFound') return undefined
      throw err
    }
  }

  const rkeyOf = (p: PublishOptions) => deterministicTid(p.idempotencyKey, p.attemptedAt ?? 0)

  return {
    name: 'bluesky',
    did,
    async publish(post, p): Promise<Published> {
      const text = post.text
      const rt = new RichText({ text })
      if (rt.graphemeLength > BLUESKY_MAX_GRAPHEMES)
        throw new BlueskyError(`The post is ${rt.graphemeLength} graphemes; Bluesky takes at most ${BLUESKY_MAX_GRAPHEMES}.`, {
          code: 'BLUESKY_TOO_LONG',
          exitCode: ExitCode.usage,
        })
      const repo = await did()
      const rkey = rkeyOf(p)
      // Mentions resolve through the PDS; an unknown handle is left as plain text.
      await withBackoff('facet detection', () => rt.detectFacets(agent))
      let embed: Record<string, unknown> | undefined
      if (post.image) {
        const fitted = await fitImage(await readFile(post.image), BLUESKY_IMAGE_LIMITS)
        const blob = await withBackoff('image upload', () => agent.uploadBlob(fitted.bytes, { encoding: fitted.mimeType }))
        embed = {
          $type: 'app.bsky.embed.images',
          images: [{ image: blob.data.blob, alt: post.alt ?? '', aspectRatio: { width: fitted.width, height: fitted.height } }],
        }
      }
      const record = {
        $type: COLLECTION,
        text: rt.text,
        ...(rt.facets?.length && { facets: rt.facets }),
        ...(embed && { embed }),
        createdAt: new Date(p.attemptedAt ?? Date.now()).toISOString(),
      }
      try {
        const r = await withBackoff('post', () => agent.com.atproto.repo.createRecord({ repo, collection: COLLECTION, rkey, record }))
        await saving // tokens refreshed during the post are on disk when it returns
        return { id: r.data.uri, url: postUrl(o.service, o.handle, rkey) }
      } catch (err) {
        // A create that landed before the connection dropped (or a record made by an earlier attempt): the
        // same rkey is already there, so it is this post.
        const found = await existing(rkey).catch(() => undefined)
        if (found) return found
        throw err
      }
    },
    findPublished: (_key, p) => existing(rkeyOf(p)),
  }
}

/** The post's web URL on bsky.app for the official service; elsewhere none (the id is the record's at:// URI). */
function postUrl(service: string, handle: string, rkey: string): string | undefined {
  return /(^|\.)bsky\.(social|network)$/.test(new URL(service).hostname) ? `https://bsky.app/profile/${handle}/post/${rkey}` : undefined
}
