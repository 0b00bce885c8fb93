/** One segmenter for the process: building one costs more than segmenting a caption. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/**
 * The number of user-perceived characters (grapheme clusters) in `text`: what Bluesky's 300 limit counts. An
 * emoji with a skin tone, a flag or a family is one, however many code points it takes.
 *
 * @example
 * ```ts
 * graphemeLength('gm 👋🏽') // 4 (the wave with its tone is one grapheme, two code points)
 * ```
 */
export function graphemeLength(text: string): number {
  let n = 0
  for (const _ of graphemes.segment(text)) n++
  return n
}

/**
 * A caption longer than `max` graphemes is cut at the last word boundary with an ellipsis — the only change ever
 * made to what the model wrote. Counting is by grapheme (`Intl.Segmenter`), never by code point, so emoji are
 * neither split nor counted twice; a caption within the limit is returned unchanged.
 *
 * @example
 * ```ts
 * fitCaption('a'.repeat(10), 5) // 'aaaa…'
 * fitCaption('gm 🇮🇹🇮🇹', 5)     // unchanged: 5 graphemes
 * ```
 */
export function fitCaption(text: string, max: number): string {
  const parts = Array.from(graphemes.segment(text), (s) => s.segment)
  if (parts.length <= max) return text
  const head = parts.slice(0, max - 1).join('')
  const cut = head.lastIndexOf(' ')
  return `${(cut > head.length / 2 ? head.slice(0, cut) : head).trimEnd()}…`
}

/** The longest caption when no channel is stricter (outbox, webhook, Nostr). */
export const DEFAULT_CAPTION_LIMIT = 1000
/** Bluesky's post length, in graphemes. */
export const BLUESKY_CAPTION_LIMIT = 300

/**
 * The caption limit for a set of channels, by name: the strictest one wins (Bluesky's 300 graphemes when it is
 * among them). A dry run uses the channels configured, not the ones opened, so it shows the text that would be
 * published.
 *
 * @example
 * ```ts
 * captionLimitOf(['nostr', 'bluesky']) // 300
 * ```
 */
export function captionLimitOf(channelNames: readonly string[]): number {
  return channelNames.includes('bluesky') ? BLUESKY_CAPTION_LIMIT : DEFAULT_CAPTION_LIMIT
}
