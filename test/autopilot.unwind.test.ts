import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { readHistory } from '../src/autopilot/history.js'
import { runUnwindPass, unwindTable } from '../src/autopilot/unwindPass.js'
import { devStake } from '../devnet/src/devnet/devStake.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { autopilotWallet, toNextReset } from './helpers/autopilotWorld.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const n = (v: bigint) => Number(v) / 1e18

describe('lowering the target: the excess capital and the unwind (#28 autopilot item 5)', () => {
  it('shows the excess, plans the unwind without sending, and carries it out on run --unwind across the DIEM cooldown', async () => {
    await devStake(devnet(), 9, parseEther('1000000'))
    const w = await autopilotWallet(devnet(), emulator(), { eth: parseEther('1'), vvv: parseEther('400') })
    const up = await w.pass({ target: parseEther('2') })
    expect(up.reached, up.message).toBe(true)
    const held = await getBalances(w.wallet)
    expect(n(held.diem.staked)).toBeGreaterThan(1.9)
    await toNextReset(devnet(), emulator()) // the pool is learned right after the reset: the sVVV's share counts

    // Lower the target: the plan says how much is above it and what holds it (before: only "already held").
    const low = parseEther('0.5')
    const plan = await w.pass({ target: low, mode: 'plan' })
    expect(plan.measurement.model.poolDiem).toBeDefined()
    expect(plan.plan.steps).toEqual([])
    expect(plan.excess).toBeDefined()
    expect(n(plan.excess!.diemPerDay)).toBeCloseTo(n(plan.measurement.projected) - 0.5, 6)
    expect(n(plan.excess!.diemPerDay)).toBeGreaterThan(1.4)
    expect(plan.message).toMatch(
      /already held.* Excess: [\d.]+ Diem\/day above the target, held by [\d.]+ staked DIEM \([\d.]+ sVVV locked behind it\).*gondola autopilot plan --unwind/,
    )

    // plan --unwind: the first step is the DIEM cooldown; nothing is sent.
    const cfg = {
      wallet: w.wallet,
      store: w.store,
      venice: w.venice,
      minClaimVvv: parseEther('1000000'),
      minStakedDiem: 0n,
      target: low,
      now: () => emulator().now(),
    }
    const dry = await runUnwindPass({ ...cfg, mode: 'plan' })
    expect(dry.plan.steps.map((s) => s.action)).toEqual(['initiateDiemUnstake'])
    expect(dry.sent).toBeUndefined()
    expect((await getBalances(w.wallet)).diem.staked).toBe(held.diem.staked)
    expect(unwindTable(dry)).toMatch(/^\[dry run\] nothing sent\nexcess: [\d.]+ Diem\/day above target/)

    // run --unwind: starts the DIEM cooldown; a second run right after waits for it.
    const first = await runUnwindPass({ ...cfg, mode: 'run' })
    expect(first.sent?.hashes).toHaveLength(1)
    const cooling = await getBalances(w.wallet)
    expect(cooling.diem.coolingDown).toBe(dry.plan.steps[0]!.amount)
    const again = await runUnwindPass({ ...cfg, mode: 'run' })
    expect(again.plan.steps).toEqual([])
    expect(again.message).toMatch(/Cooling down: [\d.]+ DIEM unstake until \d{4}-\d\d-\d\d \d\d:\d\d UTC; run `gondola autopilot run --unwind` again/)

    // After the cooldown: finish it, burn the DIEM (its sVVV unlocks), unstake the sVVV above the target.
    await devnet().testClient.increaseTime({ seconds: 24 * 3600 + 60 })
    await devnet().testClient.mine({ blocks: 1 })
    const second = await runUnwindPass({ ...cfg, mode: 'run' })
    expect(second.plan.steps.map((s) => s.action)).toEqual(['finalizeDiemUnstake', 'burnDiem', 'initiateUnstake'])
    expect(second.sent?.error).toBeUndefined()
    const after = await getBalances(w.wallet)
    expect(after.diem.liquid).toBe(0n)
    expect(after.unstake.amount).toBeGreaterThan(0n)
    // Each unwind run that sent something is in the history, with what it sent.
    const unwinds = (await readHistory(w.store.historyPath)).filter((e) => e.actions.some((a) => a.action.startsWith('initiate')))
    expect(unwinds.map((e) => e.actions.map((a) => a.action))).toEqual([['initiateDiemUnstake'], ['finalizeDiemUnstake', 'burnDiem', 'initiateUnstake']])
    expect(unwinds[1]!.hashes).toHaveLength(3)
    expect(unwinds[0]!.projectedAfter).toBeLessThan(unwinds[0]!.projectedBefore)
    // What is left holds the lower target, and not much more.
    const left = await w.pass({ target: low, mode: 'plan' })
    expect(n(left.measurement.projected)).toBeGreaterThanOrEqual(0.5 - 1e-6)
    expect(n(left.measurement.projected)).toBeLessThan(0.51)
    console.error(
      `unwind: ${n(plan.measurement.projected).toFixed(4)} → ${n(left.measurement.projected).toFixed(4)} Diem/day for a 0.5 target; ${n(dry.plan.steps[0]!.amount).toFixed(4)} DIEM unstaked, ${n(second.plan.steps[2]!.amount).toFixed(4)} sVVV unstaking`,
    )
  }, 300_000)
})
