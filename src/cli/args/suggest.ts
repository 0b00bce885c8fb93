/**
 * "Did you mean …?" for a misspelt flag or command. Hand-written (a dozen lines) rather than a dependency:
 * citty has no suggestion API, and the rule here is specific — `dry_run`, `dryrun` and `dryRun` must all
 * point at `dry-run` whatever their edit distance, so names are compared after dropping `-`/`_` and case.
 */

/**
 * `dry_run`, `dry-run`, `DryRun` and `dryrun` all normalise to `dryrun`.
 *
 * @example
 * ```ts
 * normaliseName('Dry_Run') // 'dryrun'
 * ```
 */
export function normaliseName(name: string): string {
  return name.replace(/[-_]/g, '').toLowerCase()
}

/**
 * Edit distance counting insert, delete, substitute and a swap of two neighbours (`jsno` → `json`) as 1 each.
 *
 * @example
 * ```ts
 * editDistance('jsno', 'json')    // 1
 * editDistance('agent', 'agents') // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The candidate `input` most likely meant: equal after normalising `-`/`_`/case, else the nearest within
 * an edit distance of 1 (short names) to 3 (long names), else one that starts with it or that it starts with.
 *
 * @example
 * ```ts
 * closestName('dry_run', ['eth', 'dry-run', 'json']) // 'dry-run'
 * closestName('agent', ['agents', 'period'])         // 'agents'
 * closestName('zzz', ['eth', 'json'])                // undefined
 * ```
 */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normaliseName(input)
  const exact = candidates.find((c) => normaliseName(c) === wanted)
  if (exact) return exact
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)))
  let best: { name: string; distance: number } | undefined
  for (const c of candidates) {
    const distance = editDistance(wanted, normaliseName(c))
    if (distance <= limit && (!best || distance < best.distance)) best = { name: c, distance }
  }
  if (best) return best.name
  if (wanted.length >= 3) return candidates.find((c) => normaliseName(c).startsWith(wanted) || wanted.startsWith(normaliseName(c)))
  return undefined
}
