import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHART_COLORS, diemAxisMax, renderAutopilotChart } from '../src/autopilot/chart.js'
import type { DailyRow } from '../src/autopilot/report.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
let browser: Browser
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})
afterAll(async () => {
  await browser?.close()
})

const row = (day: string, allowance: number, spend: number, runwayHours: number | null, target = 5): DailyRow => ({
  day,
  target,
  allowance,
  spend,
  utilisation: spend / allowance,
  projectedAfter: allowance,
  actions: 0,
  ethSpent: 0,
  runwayHours,
  reached: allowance >= target,
})

type Shape = { fill: string | null; stroke: string | null; dash: string | null; w: number; h: number; x: number; y: number }

/** Draws the SVG in Chromium, saves the PNG (to look at), and returns every path as laid out on the page. */
async function draw(svg: string, name: string): Promise<{ shapes: Shape[]; png: string }> {
  const page = await browser.newPage({ viewport: { width: 960, height: 600 } })
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`)
    const dir = process.env.GONDOLA_CHART_PNG_DIR ?? (await mkdtemp(join(tmpdir(), 'gondola-chart-')))
    const png = join(dir, `${name}.png`)
    await writeFile(png, await page.screenshot({ type: 'png' }))
    const shapes = await page.$$eval('svg path', (ps) =>
      ps.map((p) => {
        const r = p.getBoundingClientRect()
        return {
          fill: p.getAttribute('fill'),
          stroke: p.getAttribute('stroke'),
          dash: p.getAttribute('stroke-dasharray'),
          w: r.width,
          h: r.height,
          x: r.x,
          y: r.y,
        }
      }),
    )
    return { shapes, png }
  } finally {
    await page.close()
  }
}
// Inside the panels (the legend above them draws the same colours).
const bars = (shapes: Shape[], color: string) => shapes.filter((s) => s.fill?.toLowerCase() === color && s.y > 60).sort((a, b) => a.x - b.x)

describe('the autopilot report chart is readable whatever the history (#28 autopilot item 6)', () => {
  it('one day at 1,000 Diem/day does not squash the days at ~5: it is clipped and labelled, the others have visible height', async () => {
    const rows = [
      row('2026-12-01', 5.1, 3.2, 30),
      row('2026-12-02', 1000, 4, null),
      row('2026-12-03', 5, 4.5, 20),
      row('2026-12-04', 5.2, 1.1, 40),
      row('2026-12-05', 4.9, 4.8, 12),
    ]
    const svg = renderAutopilotChart(rows)
    const { shapes } = await draw(svg, 'outlier')
    const allowance = bars(shapes, CHART_COLORS.allowance)
    expect(allowance).toHaveLength(4) // the normal days; the outlier is drawn clipped, in its own colour
    const clipped = bars(shapes, CHART_COLORS.clipped)
    expect(clipped).toHaveLength(1)
    // Before: the axis went to 1,000 and a 5 Diem/day bar was ~1 px tall in a 260 px panel.
    for (const b of allowance) expect(b.h).toBeGreaterThan(80)
    expect(clipped[0]!.h).toBeGreaterThan(allowance[0]!.h)
    expect(svg).toContain('1,000 ▲')
    expect(svg).toContain('taller days clipped')
    // The runway panel is not flat: 12 h, 20 h, 30 h and 40 h are four different heights, sustainable reaches the top.
    const runway = [...bars(shapes, CHART_COLORS.runway), ...bars(shapes, CHART_COLORS.runwayLow)].sort((a, b) => a.x - b.x)
    expect(runway).toHaveLength(5)
    const [d1, d2, d3, d4, d5] = runway.map((b) => b.h)
    expect(d4!).toBeGreaterThan(d1! + 20)
    expect(d1!).toBeGreaterThan(d3! + 20)
    expect(d3!).toBeGreaterThan(d5! + 20)
    expect(d2!).toBeGreaterThanOrEqual(d4!)
    expect(svg).toContain('sustainable')
  }, 120_000)

  it('a one-day history draws the target line the legend lists', async () => {
    const svg = renderAutopilotChart([row('2026-12-05', 1.2, 0.4, 30, 1)])
    const { shapes } = await draw(svg, 'one-day')
    const target = shapes.filter((s) => s.stroke?.toLowerCase() === CHART_COLORS.target && s.dash !== null && s.w > 400)
    expect(target.length).toBeGreaterThanOrEqual(1) // before: no dashed target path at all
    expect(bars(shapes, CHART_COLORS.allowance)).toHaveLength(1)
  }, 120_000)

  it('keeps the plain axis when no day dwarfs the others', () => {
    expect(diemAxisMax([5, 5.2, 4.9, 6], [5])).toBeUndefined()
    expect(diemAxisMax([5, 5.2, 4.9, 1000], [5])).toBe(10)
  })
})
