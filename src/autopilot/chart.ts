/**
 * The autopilot's picture: allowance vs spend per day (with the target), and the runway, rendered by echarts'
 * server-side SVG renderer (no DOM, no canvas).
 */
import { requireOptional } from '../util/optionalDependency.js'
import type { DailyRow } from './report.js'

export type ChartOptions = { width?: number | undefined; height?: number | undefined; title?: string | undefined; /** Runway hours drawn for "sustainable" (default 48). */ runwayCapHours?: number | undefined }

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
  const echarts = requireOptional<typeof import('echarts')>('echarts', 'The autopilot chart')
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: [
        { text: o.title ?? 'Diem autopilot: allowance vs spend', left: 'center', top: 8, textStyle: { fontSize: 16 } },
        { text: `Runway (h; ${cap} = the next reset covers the burn)`, left: 'center', top: '62%', textStyle: { fontSize: 13 } },
      ],
      legend: { top: 34, data: ['allowance', 'spend', 'target'] },
      grid: [
        { left: 60, right: 30, top: 70, height: '44%' },
        { left: 60, right: 30, top: '69%', bottom: 40 },
      ],
      xAxis: [
        { type: 'category', gridIndex: 0, data: rows.map((r) => r.day.slice(5)) },
        { type: 'category', gridIndex: 1, data: rows.map((r) => r.day.slice(5)) },
      ],
      yAxis: [
        { type: 'value', gridIndex: 0, name: 'Diem / day' },
        { type: 'value', gridIndex: 1, name: 'hours', max: cap },
      ],
      series: [
        { name: 'allowance', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: rows.map((r) => r.allowance), itemStyle: { color: '#5470c6' } },
        { name: 'spend', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: rows.map((r) => r.spend ?? 0), itemStyle: { color: '#ee6666' } },
        { name: 'target', type: 'line', xAxisIndex: 0, yAxisIndex: 0, step: 'end', symbol: 'none', data: rows.map((r) => r.target), lineStyle: { type: 'dashed', color: '#333' }, itemStyle: { color: '#333' } },
        { name: 'runway', type: 'line', xAxisIndex: 1, yAxisIndex: 1, data: rows.map((r) => (r.runwayHours === null ? cap : Math.min(cap, r.runwayHours))), areaStyle: { opacity: 0.15 }, itemStyle: { color: '#91cc75' } },
      ],
    })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}
