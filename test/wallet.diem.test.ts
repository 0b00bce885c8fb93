import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { burnDiem } from '../src/wallet/actions/burnDiem.js'
import { ensureDiem } from '../src/wallet/actions/ensureDiem.js'
import { ensureStake } from '../src/wallet/actions/ensureStake.js'
import { finalizeDiemUnstake } from '../src/wallet/actions/finalizeDiemUnstake.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { initiateDiemUnstake } from '../src/wallet/actions/initiateDiemUnstake.js'
import { mintDiem } from '../src/wallet/actions/mintDiem.js'
import { stakeDiem } from '../src/wallet/actions/stakeDiem.js'
import { topUp } from '../src/wallet/actions/topUp.js'
import { CooldownNotOverError } from '../src/wallet/errors.js'
import { useDevnet } from './helpers/useDevnet.js'
import { stakedWallet, testWallet } from './helpers/testWallet.js'

const DIEM_COOLDOWN = 300
const devnet = useDevnet({ diemCooldownSeconds: DIEM_COOLDOWN })
const nonce = (a: `0x${string}`) => devnet().publicClient.getTransactionCount({ address: a })

const staked = (vvv: string) => stakedWallet(devnet(), vvv)

describe('DIEM', () => {
  it('mint (balance delta, slippage-bounded minOut) → stake → unstake start → early finish refused → finish → burn', async () => {
    const w = await staked('300')
    const m = await mintDiem(w, { svvvAmount: parseEther('200') })
    expect(m.diemOut).toBeGreaterThan(parseEther('1.9')) // ~100 sVVV per DIEM at an empty supply
    expect(m.minOut).toBe((m.diemOut * 9950n) / 10000n)
    let b = await getBalances(w)
    expect(b.diem.liquid).toBe(m.diemOut)
    expect(b.svvv.locked).toBe(parseEther('200'))
    expect(b.svvv.unlocked).toBe(parseEther('100'))

    await stakeDiem(w, { amount: parseEther('1') })
    await initiateDiemUnstake(w, { amount: parseEther('0.4') })
    b = await getBalances(w)
    expect(b.diem).toMatchObject({ staked: parseEther('0.6'), coolingDown: parseEther('0.4'), ready: false })
    const sent = await nonce(w.address)
    const early = await finalizeDiemUnstake(w).catch((e: unknown) => e)
    expect(early).toBeInstanceOf(CooldownNotOverError)
    expect((early as CooldownNotOverError).endsAt.getTime()).toBe(Number(b.diem.end) * 1000)
    expect(await nonce(w.address)).toBe(sent)
    await devnet().testClient.increaseTime({ seconds: DIEM_COOLDOWN + 1 })
    await devnet().testClient.mine({ blocks: 1 })
    expect((await finalizeDiemUnstake(w)).amount).toBe(parseEther('0.4'))

    const liquid = (await getBalances(w)).diem.liquid
    await burnDiem(w, { amount: liquid })
    b = await getBalances(w)
    expect(b.diem.liquid).toBe(0n)
    expect(b.svvv.locked).toBeLessThan(parseEther('200'))
  })

  it('refuses to mint with more sVVV than unlocked, or stake/unstake more DIEM than held', async () => {
    const w = await staked('50')
    await expect(mintDiem(w, { svvvAmount: parseEther('60') })).rejects.toMatchObject({ code: 'INSUFFICIENT_SVVV' })
    await expect(stakeDiem(w, { amount: parseEther('1') })).rejects.toMatchObject({ code: 'INSUFFICIENT_DIEM' })
    await expect(initiateDiemUnstake(w, { amount: parseEther('1') })).rejects.toMatchObject({ code: 'INSUFFICIENT_DIEM' })
    await expect(burnDiem(w, { amount: parseEther('1') })).rejects.toMatchObject({ code: 'INSUFFICIENT_DIEM' })
    await expect(finalizeDiemUnstake(w)).rejects.toMatchObject({ code: 'NO_COOLDOWN' })
    expect(await nonce(w.address)).toBe(2)
  })
})

describe('ensureDiem', () => {
  it('mints only the missing DIEM, stakes it; a second call sends nothing', async () => {
    const w = await staked('300')
    const first = await ensureDiem(w, { targetStakedDiem: parseEther('1.5') })
    expect(first.status).toBe('confirmed')
    expect(first.hashes).toHaveLength(2)
    expect(first.mint!.diemOut).toBeGreaterThanOrEqual(parseEther('1.5'))
    expect(first.mint!.svvvLocked).toBeLessThan(parseEther('152'))
    expect((await getBalances(w)).diem.staked).toBe(parseEther('1.5'))
    const n = await nonce(w.address)
    expect(await ensureDiem(w, { targetStakedDiem: parseEther('1.5') })).toMatchObject({ status: 'already', hashes: [] })
    expect(await nonce(w.address)).toBe(n)
  })

  it('says to stake more when the unlocked sVVV cannot cover the mint', async () => {
    const w = await staked('20')
    await expect(ensureDiem(w, { targetStakedDiem: parseEther('1') })).rejects.toMatchObject({ name: 'InsufficientFundsError', code: 'INSUFFICIENT_SVVV' })
  })
})

describe('topUp', () => {
  it('swaps, stakes exactly what the swap delivered, optionally mints and stakes DIEM', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const r = await topUp(w, { eth: parseEther('0.04'), mintDiem: true, idempotencyKey: 'topup-1' })
    expect(r.hashes).toHaveLength(5) // swap, approve, stake, mintDiem, stakeDiem
    expect(r.steps.map((s) => [s.name, s.functionName, s.status, s.hash])).toEqual([
      ['swap', 'exactInputSingle', 'confirmed', r.hashes[0]],
      ['approve', 'approve', 'confirmed', r.hashes[1]],
      ['stake', 'stake', 'confirmed', r.hashes[2]],
      ['mintDiem', 'mintDiem', 'confirmed', r.hashes[3]],
      ['stakeDiem', 'stake', 'confirmed', r.hashes[4]],
    ])
    expect(r.steps[4]).toMatchObject({ to: devnet().addresses.diem, args: { amount: r.diemStaked.toString() } })
    const b = await getBalances(w)
    expect(b.svvv.total).toBe(r.svvvStaked)
    expect(b.svvv.locked).toBe(r.svvvStaked)
    expect(b.diem.staked).toBe(r.diemStaked)
    expect(r.diemStaked).toBeGreaterThan(0n)
    expect(b.vvv).toBe(0n)
  })

  it('resumes a crashed top-up by key without repeating the swap', async () => {
    const w = await testWallet(devnet(), {
      eth: parseEther('1'),
      hooks: {
        afterBroadcast: (s) => {
          if (s.name === 'approve') throw new Error('crash')
        },
      },
    })
    await expect(topUp(w, { eth: parseEther('0.01'), idempotencyKey: 'k' })).rejects.toThrow('crash')
    const again = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: w.stateDir })
    const r = await topUp(again, { eth: parseEther('0.01'), idempotencyKey: 'k' })
    expect(r.resumedSteps).toEqual(['swap', 'approve'])
    expect(await nonce(w.address)).toBe(3)
    expect((await getBalances(again)).svvv.total).toBe(r.vvvBought)
  })

  it('dry run: plans every step, signs nothing, writes no journal', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), dryRun: true })
    const r = await topUp(w, { eth: parseEther('0.01'), mintDiem: true })
    expect(r.status).toBe('planned')
    expect(r.vvvBought).toBeGreaterThan(0n)
    expect(r.hashes).toEqual([])
    expect(await nonce(w.address)).toBe(0)
    const e = await ensureStake(w, { targetSvvv: parseEther('5') })
    expect(e).toMatchObject({ status: 'planned', approved: true })
  })
})
