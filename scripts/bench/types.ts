/** One figure printed by `npm run bench`. `baseline` is measured in the same run; the ratio is value / baseline. */
export type BenchRow = {
  issue: number
  metric: string
  value: number
  unit: string
  baseline?: number
  goal?: string
  /** Ratio to print when it is not value / baseline (e.g. the median of per-round ratios). */
  ratio?: number
  /** How much the figure moved between rounds, e.g. "ratio 0.98–1.07 over 9 rounds". */
  spread?: string
}
