import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { stakingAbi } from '../src/chain/abis/index.js'
import { claim } from '../src/wallet/actions/claim.js'
import { claimAndStake } from '../src/wallet/actions/claimAndStake.js'
import { finalizeUnstake } from '../src/wallet/actions/finalizeUnstake.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { initiateUnstake } from '../src/wallet/actions/initiateUnstake.js'
import { CooldownNotOverError, TransactionRevertedError } from '../src/wallet/errors.js'
import { sendCall } from '../src/wallet/send/sendCall.js'
import { withRun } from '../src/wallet/send/withRun.js'
import { useDevnet } from './helpers/useDevnet.js'
import { stakedWallet, testWallet } from './helpers/testWallet.js'

const COOLDOWN = 600
const devnet = useDevnet({ stakingCooldownSeconds: COOLDOWN })
const nonce = (a: `0x${string}`) => devnet().publicClient.getTransactionCount({ address: a })

const staked = (vvv: string) => stakedWallet(devnet(), vvv)

describe('rewards', () => {
  it('claim pays pending rewards as VVV; claimAndStake adds them to sVVV', async () => {
    const w = await staked('100')
    await devnet().testClient.increaseTime({ seconds: 100 })
    await devnet().testClient.mine({ blocks: 1 })
    const c = await claim(w)
    expect(c.amount).toBeGreaterThan(0n)
    expect((await getBalances(w)).vvv).toBe(c.amount)
    await devnet().testClient.increaseTime({ seconds: 100 })
    await devnet().testClient.mine({ blocks: 1 })
    const before = (await getBalances(w)).svvv.total
    const r = await claimAndStake(w)
    expect(r.amount).toBeGreaterThan(0n)
    expect((await getBalances(w)).svvv.total).toBe(before + r.amount)
  })

  it('claim with nothing pending sends nothing', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    await expect(claim(w)).rejects.toMatchObject({ name: 'NothingToDoError', code: 'NO_REWARDS' })
    expect(await nonce(w.address)).toBe(0)
  })
})

describe('unstake', () => {
  it('start → finish before the cooldown ends is refused with the end time, nothing sent → finish after it pays VVV back', async () => {
    const w = await staked('10')
    const started = await initiateUnstake(w, { amount: parseEther('4') })
    const b = await getBalances(w)
    expect(b.unstake.amount).toBe(parseEther('4'))
    expect(b.unstake.end).toBe(started.cooldownEnd)
    expect(b.svvv.total).toBe(parseEther('6'))
    const sent = await nonce(w.address)
    const err = await finalizeUnstake(w).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CooldownNotOverError)
    expect((err as CooldownNotOverError).endsAt.getTime()).toBe(Number(started.cooldownEnd) * 1000)
    expect((err as CooldownNotOverError).shortMessage).toContain(new Date(Number(started.cooldownEnd) * 1000).toISOString())
    expect(await nonce(w.address)).toBe(sent)
    await devnet().testClient.increaseTime({ seconds: COOLDOWN + 1 })
    await devnet().testClient.mine({ blocks: 1 })
    const done = await finalizeUnstake(w)
    expect(done.amount).toBe(parseEther('4'))
    expect((await getBalances(w)).vvv).toBe(parseEther('4'))
  })

  it('rejects more than the unlocked sVVV, and finishing with no unstake started', async () => {
    const w = await staked('2')
    await expect(initiateUnstake(w, { amount: parseEther('3') })).rejects.toMatchObject({ code: 'INSUFFICIENT_SVVV' })
    await expect(finalizeUnstake(w)).rejects.toMatchObject({ code: 'NO_COOLDOWN' })
  })

  it('a contract revert becomes a typed error with the decoded custom error name, and nothing is sent', async () => {
    const w = await staked('10')
    await initiateUnstake(w, { amount: parseEther('1') })
    const sent = await nonce(w.address)
    const err = await initiateUnstake(w, { amount: parseEther('1'), idempotencyKey: 'again' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TransactionRevertedError)
    expect(err).toMatchObject({ errorName: 'CooldownInProgress', phase: 'simulation' })
    // Bypassing the pre-checks: the chokepoint's simulation still decodes the reason.
    const raw = await withRun(w, { intent: 'raw-finalize' }, (run) =>
      sendCall(w, run, 'finalize', async () => ({
        label: 'finalize unstake',
        to: w.addresses.staking,
        abi: stakingAbi,
        functionName: 'finalizeUnstake',
        args: [],
      })),
    ).catch((e: unknown) => e)
    expect(raw).toMatchObject({ name: 'TransactionRevertedError', errorName: 'CooldownNotOver' })
    expect(await nonce(w.address)).toBe(sent)
  })
})
