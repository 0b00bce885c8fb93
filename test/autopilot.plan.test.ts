import { formatEther, parseEther } from 'viem'
import { beforeEach, describe, expect, it } from 'vitest'
import { GAS_UNITS, planTable, readHistory } from '../src/autopilot/index.js'
import { devStake } from '../devnet/src/devnet/devStake.js'
import { ExitCode } from '../src/errors/exitCodes.js'
import { shortError } from '../src/autopilot/pass.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { stakeVvv } from '../src/wallet/actions/stakeVvv.js'
import { allocationOf, autopilotWallet, toNextReset } from './helpers/autopilotWorld.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

// One anvil; two emulators reading it: the 0.1 staked-DIEM rule enforced (strict) and off (lenient).
// A whale holds 1 000 000 sVVV, so the 1000 Diem/day pool pays 0.001 Diem/day per sVVV, while 100 sVVV mint ~1 DIEM.
const devnet = useDevnet()
const lenient = useEmulatorOn(devnet, { chainCacheMs: 0 })
const strict = useEmulatorOn(devnet, { chainCacheMs: 0, minStakedDiemForDiem: 0.1 })
const START = Date.UTC(2026, 10, 2, 0, 5)

beforeEach(async () => {
  lenient().setClock(START)
  strict().setClock(START)
  await devStake(devnet(), 9, parseEther('1000000'))
})

const d = (v: bigint) => Number(formatEther(v))

describe('diem autopilot: planning and acting on anvil + the emulator', () => {
  it('fresh wallet: reaches the target by swap → stake → mint, cheaper than the pool-share path it computes', async () => {
    const w = await autopilotWallet(devnet(), strict(), { eth: parseEther('1'), minStakedDiem: parseEther('0.1') })
    const target = parseEther('0.5')
    const planned = await w.pass({ target, mode: 'plan' })
    expect(planned.plan.steps.map((s) => s.action)).toEqual(['swapStakeMintDiem'])
    expect(planned.plan.steps.map((s) => s.reason)).toEqual(['rule']) // the rule's 0.1 DIEM and the rest of the target in one set of transactions
    expect(planned.plan.reached).toBe(true)
    if (process.env.AP_PEEK) console.log(planTable(planned.plan))
    expect(planTable(planned.plan)).toMatch(/swap ETH→VVV, stake, mint DIEM, stake it/)
    expect((await getBalances(w.wallet)).eth).toBe(parseEther('1')) // plan mode sent nothing

    const pass = await w.pass({ target })
    expect(pass.reached).toBe(true)
    const b = await getBalances(w.wallet)
    expect(b.diem.staked).toBeGreaterThanOrEqual(target)
    expect(await allocationOf(w.venice)).toBeGreaterThanOrEqual(0.5)
    const spent = parseEther('1') - b.eth // swapped + gas

    // The alternative: hold 0.5 Diem/day from the pool share alone (no DIEM): s sVVV with 1000·s/(total+s) ≥ 0.5.
    const total = d(
      await devnet().publicClient.readContract({
        address: devnet().addresses.staking,
        abi: (await import('../src/chain/abis/index.js')).stakingAbi,
        functionName: 'totalSupply',
      }),
    )
    const svvvNeeded = (0.5 * (total - d(b.svvv.total))) / (1000 - 0.5)
    const alt = await w.wallet.route.quoteExactOut(w.wallet, parseEther(svvvNeeded.toFixed(6)))
    expect(alt.amountIn).toBeGreaterThan(spent * 5n)
    expect(d(spent)).toBeLessThan(0.06)
  })

  it('short capital: partial progress, a precise "ETH more, or VVV" message, exit code 6; adding what it says reaches the target', async () => {
    const w = await autopilotWallet(devnet(), lenient(), { eth: parseEther('0.02') })
    const target = parseEther('1')
    const pass = await w.pass({ target })
    expect(pass.reached).toBe(false)
    if (process.env.AP_PEEK) console.log(pass.message, planTable(pass.plan))
    expect(d(pass.projectedAfter)).toBeGreaterThan(0.05) // partial progress
    expect(pass.message).toMatch(
      /^Short of the 1 Diem\/day target: [\d.]+ Diem\/day after this pass, [\d.]+ Diem\/day missing — add ([\d.]+) ETH more, or ([\d.]+) VVV\.$/,
    )
    const err = shortError(pass)
    expect(err.exitCode).toBe(ExitCode.funds)
    const [, ethMore] = pass.message.match(/add ([\d.]+) ETH more/)!
    await devnet().fund(w.wallet.address, { eth: parseEther(ethMore!) + parseEther('0.0001') }) // 4-decimal rounding in the text
    const again = await w.pass({ target })
    expect(again.reached).toBe(true)
  })

  it('the 0.1 staked DIEM rule: on, a pool share alone is not spendable and the plan mints 0.1 first; off, nothing to do', async () => {
    const on = await autopilotWallet(devnet(), strict(), { eth: parseEther('1'), vvv: parseEther('200'), minStakedDiem: parseEther('0.1') })
    await stakeVvv(on.wallet, { amount: parseEther('200') })
    await toNextReset(devnet(), strict())
    const target = parseEther('0.1')
    const first = await on.pass({ target, mode: 'plan' })
    expect(first.measurement.venice).toMatchObject({ canConsume: false, balance: 0 })
    expect(first.measurement.observation?.kind).toBe('reset') // pool learned right after the reset
    expect(first.plan.before).toBe(0n)
    expect(first.plan.steps.map((s) => [s.action, s.reason])).toEqual([['mintDiem', 'rule']])
    const done = await on.pass({ target })
    expect(done.reached).toBe(true)
    expect((await getBalances(on.wallet)).diem.staked).toBeGreaterThanOrEqual(parseEther('0.1'))
    expect((await on.venice.getBillingBalance()).canConsume).toBe(true)

    const off = await autopilotWallet(devnet(), lenient(), { eth: parseEther('1'), vvv: parseEther('200') })
    await stakeVvv(off.wallet, { amount: parseEther('200') })
    await toNextReset(devnet(), lenient())
    const idle = await off.pass({ target })
    expect(idle.plan.steps).toEqual([])
    expect(idle.reached).toBe(true)
    expect(idle.message).toMatch(/^Target 0.1 Diem\/day already held/)
    expect(idle.execution).toBeUndefined()
  })

  it('restakes rewards (claimAndStake) once they pass the threshold', async () => {
    const w = await autopilotWallet(devnet(), lenient(), { eth: parseEther('1'), vvv: parseEther('100'), minClaimVvv: parseEther('1') })
    await stakeVvv(w.wallet, { amount: parseEther('100') })
    await toNextReset(devnet(), lenient(), 60 * 6) // ~30 h of emissions: 100/1e6 of 0.44 VVV/s
    const before = await getBalances(w.wallet)
    expect(before.pendingRewards).toBeGreaterThan(parseEther('1'))
    const pass = await w.pass({ target: parseEther('0.05') })
    expect(pass.plan.steps[0]).toMatchObject({ action: 'restakeRewards', reason: 'compound' })
    const after = await getBalances(w.wallet)
    expect(after.svvv.total - before.svvv.total).toBeGreaterThanOrEqual(before.pendingRewards)
    const [entry] = await readHistory(w.store.historyPath)
    expect(entry!.actions[0]!.action).toBe('restakeRewards')
  })

  it('target raised mid-month: the next pass plans only the difference, and uses unlocked sVVV before buying', async () => {
    const w = await autopilotWallet(devnet(), lenient(), { eth: parseEther('1'), vvv: parseEther('100') })
    await stakeVvv(w.wallet, { amount: parseEther('100') })
    await toNextReset(devnet(), lenient())
    expect((await w.pass({ target: parseEther('0.3') })).reached).toBe(true)
    for (let day = 0; day < 3; day++) {
      await toNextReset(devnet(), lenient())
      const p = await w.pass({ target: parseEther('0.3') })
      expect(p.plan.steps).toEqual([])
    }
    await toNextReset(devnet(), lenient())
    const raised = await w.pass({ target: parseEther('1.2') })
    expect(raised.reached).toBe(true)
    // The remaining unlocked sVVV is used before anything is bought: minted on its own, or in the same mint as
    // what the swap buys (one mint transaction for the whole unlocked position).
    const first = raised.plan.steps[0]!
    expect(
      first.action === 'mintDiem' || first.svvvLocked > first.vvvOut,
      JSON.stringify(raised.plan.steps, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ).toBe(true)
    expect(raised.plan.steps.filter((s) => s.action.endsWith('MintDiem') || s.action === 'mintDiem')).toHaveLength(1)
    expect(await allocationOf(w.venice)).toBeGreaterThanOrEqual(1.2)
    const history = await readHistory(w.store.historyPath)
    expect(history.map((h) => h.target)).toEqual([0.3, 0.3, 0.3, 0.3, 1.2])
  })

  it('GAS_UNITS matches what the devnet measures (within 35 %)', async () => {
    const w = await autopilotWallet(devnet(), lenient(), { eth: parseEther('1') })
    const pass = await w.pass({ target: parseEther('0.3') })
    const receipts = await Promise.all(pass.execution!.hashes.map((hash) => devnet().publicClient.getTransactionReceipt({ hash })))
    const used = receipts.map((r) => Number(r.gasUsed))
    const table = [GAS_UNITS.swap, GAS_UNITS.approve, GAS_UNITS.stake, GAS_UNITS.mintDiem, GAS_UNITS.stakeDiem].map(Number)
    expect(used.length).toBe(table.length)
    used.forEach((u, i) => expect(Math.abs(u - table[i]!) / u, `tx ${i}: used ${u}, table ${table[i]}`).toBeLessThan(0.35))
  })
})
