/**
 * The autopilot's picture: allowance vs spend per day (with the target), and the runway, rendered by echarts'
 * server-side SVG renderer (no DOM, no canvas). Readable whatever the history: an outlier day (1,000 Diem/day
 * among days at ~5) is clipped at the top of the axis and labelled with its true value instead of squashing
 * the other days; the target is also drawn as a line across the panel, so a one-day history shows it; the
 * runway panel has its own scale (the longest runway seen, not a fixed cap) and says "sustainable" in words.
 */
import { requireOptional } from '../util/optionalDependency.js'
import type { DailyRow } from './report.js'

export type ChartOptions = {
  width?: number | undefined
  height?: number | undefined
  title?: string | undefined /** Runway hours drawn for "sustainable" (default 48). */
  runwayCapHours?: number | undefined
}

/** Colours of the series (tests find the drawn shapes by them). */
export const CHART_COLORS = { allowance: '#5470c6', spend: '#ee6666', target: '#333333', runway: '#91cc75', runwayLow: '#fac858', clipped: '#9a60b4' } as const

/**
 * The top of the Diem axis: the largest value, unless one day dwarfs the others (over 4× the upper quartile of
 * the non-zero values); then 1.5× that quartile (at least 1.2× the largest target), rounded up, and taller days are clipped.
 *
 * @example
 * ```ts
 * diemAxisMax([5, 5.2, 4.9, 1000], [5]) // 10: the 1,000 day is clipped
 * ```
 */
export function diemAxisMax(values: readonly number[], targets: readonly number[]): number | undefined {
  const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b)
  if (v.length < 2) return undefined
  const q3 = v[Math.floor((v.length - 1) * 0.75)]!
  const top = v.at(-1)!
  if (top <= 4 * q3) return undefined
  return nice(Math.max(1.5 * q3, 1.2 * Math.max(0, ...targets)))
}

/**
 * @returns an SVG document.
 *
 * @example
 * ```ts
 * await writeFile('docs/autopilot-report.svg', renderAutopilotChart(dailyReport(entries)))
 * ```
 */
export function renderAutopilotChart(rows: readonly DailyRow[], o: ChartOptions = {}): string {
  const width = o.width ?? 960
  const height = o.height ?? 600
  const cap = o.runwayCapHours ?? 48
  const days = rows.map((r) => r.day.slice(5))
  const targets = rows.map((r) => r.target)
  const yMax = diemAxisMax([...rows.map((r) => r.allowance), ...rows.map((r) => r.spend ?? 0)], targets)
  // A clipped bar is drawn to the top of the axis, in its own colour, labelled with its true value.
  const bar = (v: number) =>
    yMax !== undefined && v > yMax
      ? {
          value: yMax,
          itemStyle: { color: CHART_COLORS.clipped },
          label: { show: true, position: 'insideTop', color: '#fff', fontSize: 11, formatter: `${fmt(v)} ▲` },
        }
      : v
  const runways = rows.map((r) => (r.runwayHours === null ? null : Math.min(cap, r.runwayHours)))
  const finite = runways.filter((h): h is number => h !== null)
  // Its own scale: the longest runway seen (with room), so a change from 20 h to 30 h shows; sustainable days reach the top.
  const runwayMax = finite.length ? nice(Math.min(cap, Math.max(...finite) * 1.25)) : cap
  const lastTarget = targets.at(-1)
  // echarts is an optional peer dependency, loaded only when a chart is drawn.
  const echarts = requireOptional<typeof import('echarts')>('echarts', 'The autopilot chart')
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: [
        { text: o.title ?? 'Diem autopilot: allowance vs spend', left: 'center', top: 8, textStyle: { fontSize: 16 } },
        {
          text: `Runway (hours until the balance runs out; "sustainable": the next reset covers the burn)`,
          left: 'center',
          top: '62%',
          textStyle: { fontSize: 13 },
        },
      ],
      legend: { top: 34, data: ['allowance', 'spend', 'target'] },
      grid: [
        { left: 60, right: 30, top: 70, height: '44%' },
        { left: 60, right: 30, top: '69%', bottom: 40 },
      ],
      xAxis: [
        { type: 'category', gridIndex: 0, data: days },
        { type: 'category', gridIndex: 1, data: days },
      ],
      yAxis: [
        { type: 'value', gridIndex: 0, name: yMax === undefined ? 'Diem / day' : 'Diem / day (taller days clipped)', ...(yMax !== undefined && { max: yMax }) },
        { type: 'value', gridIndex: 1, name: 'hours', min: 0, max: runwayMax },
      ],
      series: [
        { name: 'allowance', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: rows.map((r) => bar(r.allowance)), itemStyle: { color: CHART_COLORS.allowance } },
        { name: 'spend', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: rows.map((r) => bar(r.spend ?? 0)), itemStyle: { color: CHART_COLORS.spend } },
        {
          name: 'target',
          type: 'line',
          xAxisIndex: 0,
          yAxisIndex: 0,
          step: 'end',
          // One day is one point: a line needs two, so the point is drawn, and the current target spans the panel.
          symbol: rows.length > 1 ? 'none' : 'circle',
          data: targets,
          lineStyle: { type: 'dashed', color: CHART_COLORS.target },
          itemStyle: { color: CHART_COLORS.target },
          ...(lastTarget !== undefined && {
            markLine: {
              silent: true,
              symbol: 'none',
              data: [{ yAxis: lastTarget }],
              lineStyle: { type: 'dashed', color: CHART_COLORS.target, width: 1 },
              label: { formatter: `target ${fmt(lastTarget)}`, position: 'insideEndTop' },
            },
          }),
        },
        {
          name: 'runway',
          type: 'bar',
          xAxisIndex: 1,
          yAxisIndex: 1,
          data: runways.map((h) =>
            h === null
              ? {
                  value: runwayMax,
                  itemStyle: { color: CHART_COLORS.runway, opacity: 0.35 },
                  label: { show: true, position: 'insideTop', formatter: 'sustainable', fontSize: 11 },
                }
              : {
                  value: h,
                  itemStyle: { color: h < 24 ? CHART_COLORS.runwayLow : CHART_COLORS.runway },
                  label: { show: true, position: 'top', formatter: `${fmt(h)} h`, fontSize: 11 },
                },
          ),
        },
      ],
    })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

/** Rounds an axis top up to 1, 2 or 5 × a power of ten. */
function nice(x: number): number {
  if (!(x > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= x)!
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100))
