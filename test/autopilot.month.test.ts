import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { dailyTable } from '../src/autopilot/index.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { simulateMonth } from '../scripts/autopilot-month.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, minStakedDiemForDiem: 0.1 })
const target = (day: number) => (day < 15 ? 1 : 2)

describe('diem autopilot: a simulated month (emulator clock + anvil time, scheduled after each reset)', () => {
  it('holds the allowance at or above the target every day, raised mid-month, and renders the report chart', async () => {
    const month = await simulateMonth(devnet(), emulator(), { days: 30, target })
    expect(month.days).toHaveLength(30)
    // The first slot (00:05 on day 1) was missed — the schedule started at 09:00 — and caught up once; then 00:05 daily.
    expect(month.days.map((d) => d.catchUp)).toEqual([true, ...Array(29).fill(false)])
    // (The emulator clock keeps ticking with the wall clock between jumps: allow a few minutes.)
    const minutesIn = month.days.slice(1).map((d) => (d.pass.measurement.now - d.pass.measurement.epochStart) / 60_000)
    expect(
      minutesIn.every((m) => m >= 5 && m < 10),
      minutesIn.join(),
    ).toBe(true)
    for (const d of month.days) {
      expect(d.pass.reached, `day ${d.day}: ${d.pass.message}`).toBe(true)
      expect(d.allocationAfterPass, `day ${d.day}`).toBeGreaterThanOrEqual(target(d.day))
      // Allowance at the start of the day (before the pass) never under target, except where the target was just set.
      if (d.day > 1 && target(d.day) === target(d.day - 1)) expect(d.pass.entry.allowance, `day ${d.day}`).toBeGreaterThanOrEqual(target(d.day))
      expect(d.spent).toBeGreaterThan(0)
    }
    // The raise bought only the difference, cheapest first: restake, then unlocked sVVV and ETH in ONE mint (the
    // swap's mint takes the unlocked sVVV too: one mint transaction, not two).
    const raise = month.days[14]!.pass.plan.steps
    expect(raise.map((s) => s.action)).toEqual(['restakeRewards', 'swapStakeMintDiem'])
    expect(raise[1]!.svvvLocked).toBeGreaterThan(raise[1]!.vvvOut)
    const ethSpent = 1 - Number(formatEther((await getBalances(month.wallet)).eth))
    expect(ethSpent).toBeLessThan(0.15)

    expect(month.rows).toHaveLength(30)
    expect(month.rows.map((r) => r.target)).toEqual(month.days.map((d) => target(d.day)))
    expect(month.rows.every((r) => r.spend !== null && r.spend > 0 && r.spend <= r.allowance)).toBe(true)
    expect(dailyTable(month.rows).split('\n')).toHaveLength(33)

    expect(month.svg.startsWith('<svg')).toBe(true)
    for (const word of ['allowance', 'spend', 'target', 'Runway']) expect(month.svg).toContain(word)
    const out = join(await mkdtemp(join(tmpdir(), 'gondola-chart-')), 'report.svg')
    await writeFile(out, month.svg)
    const sharp = (await import('sharp')).default
    const png = await sharp(await readFile(out))
      .png()
      .toBuffer()
    expect((await sharp(png).metadata()).width).toBe(960)
  }, 600_000)
})
