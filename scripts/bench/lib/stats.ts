/** Small statistics for interleaved bench rounds. */

/** The median of `xs` (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The lower and upper quartiles of `xs` (the medians of its lower and upper halves). */
export function quartiles(xs: readonly number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b)
  const half = Math.floor(s.length / 2)
  return [median(s.slice(0, half)), median(s.slice(s.length - half))]
}

/** `min–max` of `xs` with 2 decimals, e.g. "0.98–1.07". */
export function range(xs: readonly number[]): string {
  return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`
}

/**
 * Runs `a` and `b` in interleaved rounds (a b, b a, a b … so neither always goes first) and returns
 * each side's figures plus the per-round ratios a/b. When the rounds return records, `figure` picks the
 * number compared; the records themselves are kept in `rawA` / `rawB`.
 */
export async function interleave(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<{ a: number[]; b: number[]; ratios: number[]; rawA: number[]; rawB: number[] }>
export async function interleave<T>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
  figure: (x: T) => number,
): Promise<{ a: number[]; b: number[]; ratios: number[]; rawA: T[]; rawB: T[] }>
export async function interleave<T>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
  figure: (x: T) => number = (x) => x as number,
): Promise<{ a: number[]; b: number[]; ratios: number[]; rawA: T[]; rawB: T[] }> {
  const out = { a: [] as number[], b: [] as number[], ratios: [] as number[], rawA: [] as T[], rawB: [] as T[] }
  for (let r = 0; r < rounds; r++) {
    let x: T
    let y: T
    if (r % 2 === 0) {
      x = await a()
      y = await b()
    } else {
      y = await b()
      x = await a()
    }
    out.rawA.push(x)
    out.rawB.push(y)
    out.a.push(figure(x))
    out.b.push(figure(y))
    out.ratios.push(figure(x) / figure(y))
  }
  return out
}
