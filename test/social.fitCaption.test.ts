import { RichText } from '@atproto/api'
import { describe, expect, it } from 'vitest'
import { fitCaption, graphemeLength } from '../src/social/fitCaption.js'

// The caption: 243 graphemes, 303 code points (ten emoji with skin tones and flags, then "gm").
// Families of four and couples with skin tones: seven code points each, one grapheme each.
const emoji = ['👨‍👩‍👧‍👦', '👩‍👩‍👧‍👦', '🧑🏽‍🤝‍🧑🏻', '👨‍👨‍👧‍👦', '👩‍👩‍👧‍👧', '🧑🏿‍🤝‍🧑🏿', '👨‍👩‍👦‍👦', '👩‍👩‍👦‍👦', '👨‍👨‍👦‍👦', '👨‍👩‍👧‍👧']
const caption = `${'the lagoon at dawn, gondolas asleep. '.repeat(7).slice(0, 229)} ${emoji.join('')} gm`

describe('captions are fitted by grapheme, as Bluesky counts them', () => {
  it("the issue's 243-grapheme caption (303+ code points) is kept whole under the 300 limit", () => {
    expect([...caption].length).toBe(303)
    expect(graphemeLength(caption)).toBe(243)
    // The same count as Bluesky's own RichText (the PDS refuses over 300 of these).
    expect(new RichText({ text: caption }).graphemeLength).toBe(243)
    expect(fitCaption(caption, 300)).toBe(caption)
  })

  it('a caption over the limit is cut at a word boundary, never inside an emoji, and fits', () => {
    const long = `${'word '.repeat(70)}${emoji.join(' ')}`
    const cut = fitCaption(long, 300)
    expect(graphemeLength(cut)).toBeLessThanOrEqual(300)
    expect(new RichText({ text: cut }).graphemeLength).toBeLessThanOrEqual(300)
    expect(cut.endsWith('…')).toBe(true)
    // Every emoji kept is whole: the cut text is a prefix of the original up to the ellipsis.
    expect(long.startsWith(cut.slice(0, -1).trimEnd())).toBe(true)
    const tail = emoji.join(' ')
    const tight = fitCaption(tail, 4)
    expect(graphemeLength(tight)).toBeLessThanOrEqual(4)
    expect(tail.startsWith(tight.slice(0, -1).trimEnd())).toBe(true)
  })
})
