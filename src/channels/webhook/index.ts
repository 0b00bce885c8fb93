import { createHmac } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { BLUESKY_IMAGE_LIMITS, fitImage } from '../media/fitImage.js'
import { withRetries } from '../../util/retry.js'
import type { Channel, Post, Published } from '../types.js'

/** A webhook answered with an error status (after the retries), or could not be reached. */
export class WebhookError extends BaseError {
  override name = 'WebhookError' as const
  /** The status it answered (none when it could not be reached). */
  status: number | undefined
  /** The answer's headers (Retry-After), for the retry policy. */
  headers: Headers | undefined
}

/** The body format: Gondola's own JSON, Discord's (`content`) or Slack's incoming-webhook (`text`). */
export type WebhookFormat = 'json' | 'discord' | 'slack'

/** HMAC-SHA256 (hex) of the exact body bytes with `secret`, as sent in `X-Gondola-Signature: sha256=<hex>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** The json body's inline image limit: fitted like Bluesky's (≤ 1,000,000 bytes before base64, ≤ 2000 px). */
export const WEBHOOK_IMAGE_LIMITS = BLUESKY_IMAGE_LIMITS

async function bodyFor(format: WebhookFormat, post: Post, idempotencyKey: string): Promise<string> {
  // Discord and Slack incoming webhooks take no inline image in a JSON body (files need multipart): text only.
  if (format === 'discord') return JSON.stringify({ content: post.text })
  if (format === 'slack') return JSON.stringify({ text: post.text })
  const image = post.image ? await fitImage(await readFile(post.image), WEBHOOK_IMAGE_LIMITS) : undefined
  return JSON.stringify({
    id: idempotencyKey,
    ...(post.agent && { agent: post.agent }),
    text: post.text,
    ...(image && {
      image: { mimeType: image.mimeType, width: image.width, height: image.height, alt: post.alt ?? '', base64: image.bytes.toString('base64') },
    }),
  })
}

/**
 * A signed JSON POST per post. The body's HMAC-SHA256 goes in `X-Gondola-Signature`, the post's idempotency key
 * in `Idempotency-Key` (the same on every retry, so a receiver can drop repeats). A 408/409/429/5xx or a dropped
 * connection is retried under the shared retry policy (`util/retry.ts`: Retry-After, else 0.5 s → 8 s backoff,
 * each wait capped by `maxWaitMs`), up to `maxRetries` times. The URL and
 * the secret are never put in an error message (a Discord/Slack webhook URL is itself a credential).
 *
 * @example
 * ```ts
 * const channel = webhookChannel({ url: 'https://hooks.example/x', secret: process.env.HOOK_SECRET!, format: 'discord' })
 * await channel.publish({ text: 'gm' }, { idempotencyKey: 'marco:1' })
 * ```
 */
export function webhookChannel(o: {
  url: string
  secret: string
  format?: WebhookFormat
  maxRetries?: number
  maxWaitMs?: number
  sleep?: ((ms: number) => Promise<void>) | undefined
  fetch?: typeof fetch
}): Channel {
  const format = o.format ?? 'json'
  const doFetch = o.fetch ?? fetch
  const maxRetries = o.maxRetries ?? 3
  const maxWaitMs = o.maxWaitMs ?? 60_000
  const host = (() => {
    try {
      return new URL(o.url).host
    } catch {
      throw new WebhookError('The webhook URL is not a valid URL.', { code: 'WEBHOOK_BAD_URL', exitCode: ExitCode.config })
    }
  })()
  if (!o.secret) throw new WebhookError('The webhook secret is empty.', { code: 'WEBHOOK_NO_SECRET', exitCode: ExitCode.config })
  return {
    name: 'webhook',
    async publish(post, { idempotencyKey }): Promise<Published> {
      const body = await bodyFor(format, post, idempotencyKey)
      const headers = { 'content-type': 'application/json', 'x-gondola-signature': signBody(body, o.secret), 'idempotency-key': idempotencyKey }
      const send = async (): Promise<string> => {
        const res = await doFetch(o.url, { method: 'POST', headers, body }).catch((cause: unknown) => {
          throw new WebhookError(`The webhook at ${host} could not be reached.`, {
            cause: new Error(String((cause as Error)?.message ?? cause).replaceAll(o.url, host)),
            code: 'WEBHOOK_UNREACHABLE',
            exitCode: ExitCode.network,
          })
        })
        if (res.ok) return res.text()
        await res.body?.cancel()
        const err = new WebhookError(`The webhook at ${host} answered ${res.status}.`, { code: 'WEBHOOK_STATUS', exitCode: ExitCode.network })
        Object.assign(err, { status: res.status, headers: res.headers })
        throw err
      }
      const text = await withRetries(send, {
        maxRetries,
        maxWaitMs,
        sleep: o.sleep,
        classify: (e) =>
          e instanceof WebhookError && (e.code === 'WEBHOOK_STATUS' || e.code === 'WEBHOOK_UNREACHABLE') ? { status: e.status, headers: e.headers } : undefined,
      })
      let id = idempotencyKey
      try {
        const json = JSON.parse(text) as { id?: unknown }
        if (typeof json.id === 'string' || typeof json.id === 'number') id = String(json.id)
      } catch {
        // Discord/Slack answer 204 / "ok": the idempotency key is the post's id.
      }
      return { id }
    },
  }
}
