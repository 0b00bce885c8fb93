/**
 * Channels a social bot publishes to, each behind one `Channel` interface, and `publishOnce`, which journals
 * every post (intent → published id) so a restart after a crash never posts twice.
 *
 * @example
 * ```ts
 * import { outboxChannel, publishOnce } from './index.js'
 * await publishOnce({ channel: outboxChannel({ dir: '.gondola/outbox' }), journalPath: '.gondola/posts.json', key: 'marco:1', post: { text: 'gm' } })
 * ```
 */
export type { Channel, Post, Published, PublishOptions } from './types.js'
export { publishOnce } from './journal.js'
export { outboxChannel } from './outbox/index.js'
export { nostrChannel, replyToMentions, NostrError, type NostrBackoff } from './nostr/index.js'
export { webhookChannel, signBody, WebhookError, type WebhookFormat } from './webhook/index.js'
export { channelFromEnv, channelsFromEnv, namedChannelFromEnv, readCredential, type ChannelName } from './fromEnv.js'
export { blueskyChannel, BlueskyError, BLUESKY_MAX_GRAPHEMES } from './bluesky/index.js'
export { fitImage, BLUESKY_IMAGE_LIMITS, type ImageLimits, type FittedImage } from './media/fitImage.js'
