/**
 * Character-driven social bots: the model composes, code publishes. Drafts are saved before publishing (a crash
 * never makes a second post), every call and image is in the spend ledger, and a per-day Diem budget (UTC day)
 * is read back from the ledger so it holds across restarts.
 *
 * @example
 * ```ts
 * import { createSocialBot } from './index.js'
 * const bot = createSocialBot({ host, definition, channels, stateDir: '.gondola/social', outboxDir: '.gondola/outbox', ledgerPath: '.gondola/ledger.jsonl', budgetDiemPerDay: 0.5 })
 * await bot.tick()
 * ```
 */
export { createSocialBot, SocialBotError, SocialBotLockedError, DailyBudgetError, type SocialBot, type SocialBotOptions, type TickResult } from './socialBot.js'
export { spentToday, utcDayStart } from './budget.js'
export { draftStore, type Draft } from './drafts.js'
export { generatePostImage, imageModel, ImageModelError } from './postImage.js'
export { captionLimitOf, fitCaption, graphemeLength, BLUESKY_CAPTION_LIMIT, DEFAULT_CAPTION_LIMIT } from './fitCaption.js'
export { lastTickFile } from './lastTick.js'
