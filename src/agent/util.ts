/**
 * Maps with at most `limit` promises in flight; results keep the input order.
 *
 * @example
 * ```ts
 * await mapBounded([1, 2, 3], 2, async (n) => n * 2) // [2, 4, 6]
 * ```
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  // The common step has one tool call: no workers, no Promise.all.
  if (items.length === 1) return [await fn(items[0]!, 0)]
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker))
  return out
}

/** A rough token count for budgeting before the server reports usage: ~4 characters per token, rounded up. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4)
}
