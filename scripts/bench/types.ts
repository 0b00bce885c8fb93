/** One figure printed by `npm run bench`. `baseline` is measured in the same run; the ratio is value / baseline. */
export type BenchRow = {
  issue: number
  metric: string
  value: number
  unit: string
  baseline?: number
  goal?: string
}
