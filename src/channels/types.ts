/** A post to publish: its text verbatim, and optionally an image file. */
export type Post = { text: string; image?: string | undefined; agent?: string | undefined }

/** Where a post landed: the channel's id for it, and a URL when the channel has one. */
export type Published = { id: string; url?: string | undefined }

/**
 * A place a social bot publishes to. `idempotencyKey` is the same on every retry of one post, so a channel
 * that can look posts up (`findPublished`) or a receiver that dedupes on it never shows a post twice.
 */
export interface Channel {
  readonly name: string
  publish(post: Post, o: { idempotencyKey: string }): Promise<Published>
  /** The post already published under `idempotencyKey`, if the channel can tell (used to resume after a crash). */
  findPublished?(idempotencyKey: string): Promise<Published | undefined>
}
