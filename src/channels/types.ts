/** A post to publish: its text verbatim, and optionally an image file with its alt text. */
export type Post = { text: string; image?: string | undefined; alt?: string | undefined; agent?: string | undefined }

/** Where a post landed: the channel's id for it, and a URL when the channel has one. */
export type Published = { id: string; url?: string | undefined }

/**
 * What every attempt at one post shares: its idempotency key, and when it was first attempted (ms; journalled with
 * the intent), so a channel can derive the same record id (Bluesky) or the same signed event (Nostr) on a retry.
 */
export type PublishOptions = { idempotencyKey: string; attemptedAt?: number | undefined }

/**
 * A place a social bot publishes to. `idempotencyKey` is the same on every retry of one post, so a channel
 * that can look posts up (`findPublished`) or a receiver that dedupes on it never shows a post twice.
 */
export interface Channel {
  readonly name: string
  publish(post: Post, o: PublishOptions): Promise<Published>
  /** The post already published under `idempotencyKey`, if the channel can tell (used to resume after a crash). */
  findPublished?(idempotencyKey: string, o: PublishOptions): Promise<Published | undefined>
}
