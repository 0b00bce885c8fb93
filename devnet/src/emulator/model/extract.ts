/**
 * Pulls the values the local model can use as tool arguments out of a message: Ethereum addresses,
 * numbers, quoted strings, `key=value` / `key: value` pairs and lower-case words.
 */

/** The values found in a message, each list in order of appearance. */
export type Extracted = {
  text: string
  addresses: string[]
  numbers: number[]
  quoted: string[]
  pairs: Map<string, string>
  words: Set<string>
}

const ADDRESS = /0x[0-9a-fA-F]{40}/g
const NUMBER = /(?<![\w.])-?\d+(?:\.\d+)?(?![\w])/g
const QUOTED = /"([^"]+)"|'([^']+)'|`([^`]+)`/g
const PAIR = /\b([A-Za-z_][\w]*)\s*(?:=|:)\s*("[^"]*"|'[^']*'|0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?|[\w.-]+)/g

/**
 * @example
 * ```ts
 * const x = extractValues('Send 0.5 ETH to 0x00000000000000000000000000000000000000aa, memo="rent"')
 * x.numbers // [0.5]; x.addresses // ['0x…aa']; x.pairs.get('memo') // 'rent'
 * ```
 */
export function extractValues(text: string): Extracted {
  const addresses = text.match(ADDRESS) ?? []
  const withoutAddresses = text.replace(ADDRESS, ' ')
  const quoted = [...text.matchAll(QUOTED)].map((m) => (m[1] ?? m[2] ?? m[3])!)
  const withoutQuoted = withoutAddresses.replace(QUOTED, ' ')
  const numbers = [...withoutQuoted.matchAll(NUMBER)].map((m) => Number(m[0]))
  const pairs = new Map<string, string>()
  for (const m of text.matchAll(PAIR)) pairs.set(m[1]!.toLowerCase(), m[2]!.replace(/^["']|["']$/g, ''))
  return { text, addresses, numbers, quoted, pairs, words: tokenize(text) }
}

/** Lower-case word set used for matching tool names and descriptions (`get_balance` → get, balance, get_balance). */
export function tokenize(text: string): Set<string> {
  const words = new Set<string>()
  for (const w of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
    words.add(w)
    if (w.includes('_')) for (const part of w.split('_')) if (part) words.add(part)
  }
  return words
}
