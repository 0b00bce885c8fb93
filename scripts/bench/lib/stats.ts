/** Small statistics for interleaved bench rounds. */

/** The median of `xs` (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** `min–max` of `xs` with 2 decimals, e.g. "0.98–1.07". */
export function range(xs: readonly number[]): string {
  return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`
}

/**
 * Runs `a` and `b` in interleaved rounds (a b, b a, a b … so neither always goes first) and returns
 * each side's figures plus the per-round ratios a/b.
 */
export async function interleave(rounds: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[]; ratios: number[] }> {
  const out = { a: [] as number[], b: [] as number[], ratios: [] as number[] }
  for (let r = 0; r < rounds; r++) {
    let x: number
    let y: number
    if (r % 2 === 0) {
      x = await a()
      y = await b()
    } else {
      y = await b()
      x = await a()
    }
    out.a.push(x)
    out.b.push(y)
    out.ratios.push(x / y)
  }
  return out
}
