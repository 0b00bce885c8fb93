import { formatEther, type Hex } from 'viem'
import { stakingAbi } from '../../chain/abis/index.js'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError } from '../errors.js'
import { solveInput } from '../routes/solveExactOut.js'
import { withRun } from '../send/withRun.js'
import type { StepResult } from '../send/types.js'
import { toPlannedSteps, type PlannedStep } from '../send/plannedStep.js'
import { mintDiemStep, stakeDiemStep } from '../steps/diemSteps.js'
import { getBalances } from './getBalances.js'

export type EnsureDiemParameters = {
  /** Staked DIEM to reach, base units. */
  targetStakedDiem: bigint
  idempotencyKey?: string | undefined
}

export type EnsureDiemReturnType = {
  status: 'already' | 'confirmed' | 'planned'
  missing: bigint
  /** sVVV locked and DIEM minted, when liquid DIEM was short. */
  mint: { svvvLocked: bigint; diemOut: bigint } | undefined
  staked: bigint
  hashes: Hex[]
  gasUsed: bigint
  /** Each transaction sent or (dry run) planned: to, value, function, args, simulated. */
  steps: PlannedStep[]
}

/**
 * Brings the wallet's staked DIEM up to `targetStakedDiem`, sending only what is missing: stakes
 * liquid DIEM already held, mints only the DIEM still short (locking the least unlocked sVVV whose
 * `getDiemAmountOut` covers it). Idempotent: at the target it sends nothing.
 *
 * @throws {InsufficientFundsError} when the unlocked sVVV cannot cover the mint (run `ensureStake` first).
 *
 * @example
 * ```ts
 * await ensureStake(wallet, { targetSvvv: parseEther('200') })
 * await ensureDiem(wallet, { targetStakedDiem: parseEther('1') })
 * ```
 */
export async function ensureDiem(wallet: Wallet, parameters: EnsureDiemParameters): Promise<EnsureDiemReturnType> {
  const { targetStakedDiem, idempotencyKey } = parameters
  assertPositiveAmount(targetStakedDiem, 'targetStakedDiem')
  return withRun(wallet, { intent: `ensureDiem:${targetStakedDiem}`, idempotencyKey }, async (run) => {
    const b = await getBalances(wallet)
    const missing = targetStakedDiem > b.diem.staked ? targetStakedDiem - b.diem.staked : 0n
    if (missing === 0n) return { status: 'already', missing, mint: undefined, staked: 0n, hashes: [], gasUsed: 0n, steps: [] }
    const steps: StepResult[] = []
    let mint: EnsureDiemReturnType['mint']
    let liquid = b.diem.liquid
    if (liquid < missing) {
      const short = missing - liquid
      const svvv = await svvvForDiem(wallet, short, b.svvv.unlocked)
      const m = await mintDiemStep(wallet, run, svvv, { minOut: short })
      steps.push(m.step)
      mint = { svvvLocked: svvv, diemOut: m.diemOut }
      liquid += m.diemOut
    }
    steps.push(await stakeDiemStep(wallet, run, missing, wallet.dryRun ? { knownLiquid: liquid } : {}))
    return {
      status: wallet.dryRun ? 'planned' : 'confirmed',
      missing,
      mint,
      staked: missing,
      hashes: steps.flatMap((s) => (s.hash ? [s.hash] : [])),
      gasUsed: steps.reduce((sum, s) => sum + (s.receipt?.gasUsed ?? 0n), 0n),
      steps: toPlannedSteps(steps),
    }
  })
}

/** The least sVVV whose DIEM quote covers `diem`, checked against the unlocked balance. */
async function svvvForDiem(wallet: Wallet, diem: bigint, unlocked: bigint): Promise<bigint> {
  const quote = (x: bigint) =>
    wallet.publicClient.readContract({ address: wallet.addresses.staking, abi: stakingAbi, functionName: 'getDiemAmountOut', args: [x] })
  const probe = unlocked > 0n ? unlocked : 10n ** 18n
  const solved = await solveInput(quote, diem, probe)
  if (!solved || solved.input > unlocked) {
    const need = solved ? `${formatEther(solved.input)} unlocked sVVV` : 'more unlocked sVVV'
    throw new InsufficientFundsError(`Minting ${formatEther(diem)} DIEM needs ${need}; the wallet has ${formatEther(unlocked)}.`, {
      metaMessages: ['Stake more VVV first (ensureStake / `gondola stake`).'],
      code: 'INSUFFICIENT_SVVV',
    })
  }
  return solved.input
}
