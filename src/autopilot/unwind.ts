/**
 * Lowering the target: the capital held above it, and how to release it. Staked DIEM above what the target
 * needs is unstaked (DIEM cooldown, 1 day on Base), then burned to unlock the sVVV behind it, and sVVV beyond
 * the target's pool share is unstaked (sVVV cooldown, 7 days on Base). A cooldown is a wait the chain imposes,
 * so an unwind is several passes: each does what the chain allows now (finish a cooldown that is over, burn,
 * start the next cooldown) and says when to come back. Nothing goes below the staked-DIEM rule. Every step
 * goes through the wallet actions (spend policy, journal).
 */
import type { Hex } from 'viem'
import { stakingAbi } from '../chain/abis/index.js'
import { BaseError } from '../errors/BaseError.js'
import { formatShort } from '../wallet/amounts.js'
import { burnDiem } from '../wallet/actions/burnDiem.js'
import { finalizeDiemUnstake } from '../wallet/actions/finalizeDiemUnstake.js'
import { finalizeUnstake } from '../wallet/actions/finalizeUnstake.js'
import { initiateDiemUnstake } from '../wallet/actions/initiateDiemUnstake.js'
import { initiateUnstake } from '../wallet/actions/initiateUnstake.js'
import type { Wallet } from '../wallet/createWallet.js'
import type { Measurement } from './measure.js'
import { ratePerSvvv } from './projection.js'

const WAD = 10n ** 18n
/** Amounts below a millionth are rounding, not capital: never a transaction. */
const DUST = 10n ** 12n

/** Capital held above the target. */
export type Excess = {
  /** Spendable Diem/day above the target, from the next reset. */
  diemPerDay: bigint
  /** Staked DIEM that can go (above the target and the staked-DIEM rule). */
  diem: bigint
  /** sVVV locked behind that DIEM (released when it is burned). */
  svvvLocked: bigint
  /** Unlocked sVVV whose pool share is above the target. */
  svvv: bigint
}

export type UnwindAction = 'finalizeUnstake' | 'finalizeDiemUnstake' | 'burnDiem' | 'initiateUnstake' | 'initiateDiemUnstake'
export type UnwindStep = { action: UnwindAction; amount: bigint; unit: 'DIEM' | 'sVVV' | 'VVV'; label: string }
export type UnwindPlan = {
  excess: Excess | undefined
  steps: UnwindStep[] /** Cooldowns still running (ms since epoch). */
  waiting: { what: string; until: number }[]
  message: string
}

/**
 * The capital above `target` at this measurement (undefined when there is none).
 *
 * @example
 * ```ts
 * const excess = await excessOf(wallet, measurement, parseEther('0.5'))
 * excess?.diemPerDay // 1.5 Diem/day above the target
 * ```
 */
export async function excessOf(wallet: Wallet, m: Measurement, target: bigint, o: { releasedSvvv?: bigint } = {}): Promise<Excess | undefined> {
  if (m.projected <= target) return undefined
  const [locked, outstanding] = await wallet.publicClient.readContract({
    address: wallet.addresses.staking,
    abi: stakingAbi,
    functionName: 'lockedStakes',
    args: [wallet.address],
  })
  const e = m.projected - target
  const rate = ratePerSvvv(m.stake, m.model) // Diem/day per whole sVVV
  // Unlocked sVVV first (nothing to burn, one cooldown), then staked DIEM: unstaking d DIEM and then the sVVV
  // behind it gives up d·(1 + perDiem·rate), so d is sized for the two together.
  const unlocked = m.chain.svvv.unlocked + (o.releasedSvvv ?? 0n)
  const svvv = rate === 0n ? 0n : min(unlocked, (e * WAD) / rate)
  const left = max(0n, e - (svvv * rate) / WAD)
  const perDiem = outstanding === 0n ? 0n : (locked * WAD) / outstanding // sVVV locked per DIEM
  const room = m.model.minStakedDiem > 0n ? max(0n, m.stake.stakedDiem - m.model.minStakedDiem) : m.stake.stakedDiem
  const sized = min(room, (left * WAD) / (WAD + (perDiem * rate) / WAD))
  const diem = sized < DUST ? 0n : sized
  return { diemPerDay: e, diem, svvvLocked: (diem * perDiem) / WAD, svvv: svvv < DUST ? 0n : svvv }
}

/**
 * What an unwind pass does now, from the chain's state: finish cooldowns that are over, burn the DIEM they
 * returned, start the next cooldowns for the excess.
 *
 * @example
 * ```ts
 * const u = await planUnwind(wallet, measurement, parseEther('0.5'))
 * u.steps // [{ action: 'initiateDiemUnstake', amount: 1490000000000000000n, … }]
 * ```
 */
export async function planUnwind(wallet: Wallet, m: Measurement, target: bigint): Promise<UnwindPlan> {
  const c = m.chain
  const steps: UnwindStep[] = []
  const waiting: UnwindPlan['waiting'] = []
  const ms = (s: bigint) => Number(s) * 1000
  if (c.unstake.ready) steps.push({ action: 'finalizeUnstake', amount: c.unstake.amount, unit: 'VVV', label: 'finish the sVVV unstake (VVV back)' })
  else if (c.unstake.amount > 0n) waiting.push({ what: `${formatShort(c.unstake.amount)} sVVV unstake`, until: ms(c.unstake.end) })
  if (c.diem.ready) steps.push({ action: 'finalizeDiemUnstake', amount: c.diem.coolingDown, unit: 'DIEM', label: 'finish the DIEM unstake' })
  else if (c.diem.coolingDown > 0n) waiting.push({ what: `${formatShort(c.diem.coolingDown)} DIEM unstake`, until: ms(c.diem.end) })
  const [, outstanding] = await wallet.publicClient.readContract({
    address: wallet.addresses.staking,
    abi: stakingAbi,
    functionName: 'lockedStakes',
    args: [wallet.address],
  })
  const burn = min(c.diem.liquid + (c.diem.ready ? c.diem.coolingDown : 0n), outstanding)
  if (burn > 0n) steps.push({ action: 'burnDiem', amount: burn, unit: 'DIEM', label: 'burn DIEM (unlocks its sVVV)' })
  // Burned DIEM's sVVV is unlocked by the burn, so it counts as unlocked sVVV to unstake.
  const released = outstanding === 0n ? 0n : (burn * (await lockedOf(wallet))) / outstanding
  const excess = await excessOf(wallet, m, target, { releasedSvvv: released })
  if (excess?.svvv && (c.unstake.amount === 0n || c.unstake.ready))
    steps.push({ action: 'initiateUnstake', amount: excess.svvv, unit: 'sVVV', label: 'start unstaking sVVV (cooldown)' })
  if (excess?.diem && (c.diem.coolingDown === 0n || c.diem.ready))
    steps.push({ action: 'initiateDiemUnstake', amount: excess.diem, unit: 'DIEM', label: 'start unstaking DIEM (cooldown)' })
  return { excess, steps, waiting, message: unwindMessage(excess, steps, waiting, target) }
}

/**
 * Carries the unwind steps out through the wallet actions; stops at the first refusal.
 *
 * @example
 * ```ts
 * const { hashes } = await executeUnwind(wallet, plan.steps)
 * ```
 */
export async function executeUnwind(
  wallet: Wallet,
  steps: readonly UnwindStep[],
): Promise<{ done: UnwindStep[]; hashes: Hex[]; gasEth: bigint; error: BaseError | undefined }> {
  const done: UnwindStep[] = []
  const hashes: Hex[] = []
  let gasUsed = 0n
  const gasPrice = await wallet.publicClient.getGasPrice()
  for (const s of steps) {
    try {
      const r = await (s.action === 'finalizeUnstake'
        ? finalizeUnstake(wallet)
        : s.action === 'finalizeDiemUnstake'
          ? finalizeDiemUnstake(wallet)
          : s.action === 'burnDiem'
            ? burnDiem(wallet, { amount: s.amount })
            : s.action === 'initiateUnstake'
              ? initiateUnstake(wallet, { amount: s.amount })
              : initiateDiemUnstake(wallet, { amount: s.amount }))
      if (r.hash) hashes.push(r.hash)
      gasUsed += r.gasUsed ?? 0n
      done.push(s)
    } catch (err) {
      if (!(err instanceof BaseError)) throw err
      return { done, hashes, gasEth: gasUsed * gasPrice, error: err }
    }
  }
  return { done, hashes, gasEth: gasUsed * gasPrice, error: undefined }
}

/**
 * One sentence on the capital above the target, for the normal plan ("already held" alone says nothing).
 *
 * @example
 * ```ts
 * excessMessage(excess) // ' Excess: 1.5 Diem/day above the target, held by 1.49 staked DIEM (…); `gondola autopilot plan --unwind` shows how to release it.'
 * ```
 */
export function excessMessage(e: Excess | undefined): string {
  if (!e || e.diemPerDay === 0n) return ''
  const held = [
    e.diem > 0n ? `${formatShort(e.diem)} staked DIEM (${formatShort(e.svvvLocked)} sVVV locked behind it)` : undefined,
    e.svvv > 0n ? `${formatShort(e.svvv)} unlocked sVVV` : undefined,
  ].filter(Boolean)
  return ` Excess: ${formatShort(e.diemPerDay)} Diem/day above the target${held.length ? `, held by ${held.join(' and ')}` : ''}; \`gondola autopilot plan --unwind\` shows how to release it.`
}

function unwindMessage(e: Excess | undefined, steps: UnwindStep[], waiting: UnwindPlan['waiting'], target: bigint): string {
  const wait = waiting.map((w) => `${w.what} until ${new Date(w.until).toISOString().slice(0, 16).replace('T', ' ')} UTC`).join('; ')
  const head = e
    ? `${formatShort(e.diemPerDay)} Diem/day above the ${formatShort(target)} Diem/day target.`
    : `Nothing above the ${formatShort(target)} Diem/day target.`
  const next = wait ? ` Cooling down: ${wait}; run \`gondola autopilot run --unwind\` again after that.` : ''
  return `${head}${steps.length ? '' : ' Nothing to send now.'}${next}`
}

async function lockedOf(wallet: Wallet): Promise<bigint> {
  const [locked] = await wallet.publicClient.readContract({
    address: wallet.addresses.staking,
    abi: stakingAbi,
    functionName: 'lockedStakes',
    args: [wallet.address],
  })
  return locked
}

const min = (a: bigint, b: bigint) => (a < b ? a : b)
const max = (a: bigint, b: bigint) => (a > b ? a : b)
