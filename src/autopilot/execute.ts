/**
 * Carries out a plan through the wallet actions, which enforce the spend policy (caps, allowlist, slippage)
 * and journal every transaction (a crash resumes instead of repeating). Stops at the first refusal and says
 * which step it was; what was already sent stays done. Told to stop (`signal`), it finishes the step in hand
 * (a swap is always staked, a mint always staked) and starts no other.
 */
import type { Hex } from 'viem'
import { BaseError } from '../errors/BaseError.js'
import { claimAndStake } from '../wallet/actions/claimAndStake.js'
import { mintDiem } from '../wallet/actions/mintDiem.js'
import { stakeDiem } from '../wallet/actions/stakeDiem.js'
import { stakeVvv } from '../wallet/actions/stakeVvv.js'
import { swapEthForVvv } from '../wallet/actions/swapEthForVvv.js'
import type { Wallet } from '../wallet/createWallet.js'
import type { PlanStep } from './planner.js'

/** What one step really did. */
export type StepOutcome = {
  action: PlanStep['action']
  amount: bigint
  ethSpent: bigint
  gasEth: bigint
  vvvOut: bigint
  diemOut: bigint
  svvvLocked: bigint
  hashes: Hex[]
}

export type ExecuteReturnType = {
  outcomes: StepOutcome[]
  hashes: Hex[]
  ethSpent: bigint
  gasEth: bigint
  error: BaseError | undefined
  /** Set when `signal` stopped the plan before its last step (its reason, e.g. a ShutdownRequestedError). */
  stopped: unknown
}

export type ExecutePlanOptions = {
  /** Each step's runs are journaled under `<key>:<step>:<part>`. */
  idempotencyKey?: string | undefined
  /** Stops the plan between steps. */
  signal?: AbortSignal | undefined
  /** Told which step starts (for a notice of what is in hand); returns what to call when it ends. */
  onStep?: ((step: PlanStep, index: number) => () => void) | undefined
}

/**
 * @example
 * ```ts
 * const { outcomes, error } = await executePlan(wallet, plan.steps)
 * ```
 */
export async function executePlan(wallet: Wallet, steps: readonly PlanStep[], o: ExecutePlanOptions = {}): Promise<ExecuteReturnType> {
  const outcomes: StepOutcome[] = []
  let error: BaseError | undefined
  let stopped: unknown
  for (const [i, step] of steps.entries()) {
    if (o.signal?.aborted) {
      stopped = o.signal.reason ?? true
      break
    }
    const done = o.onStep?.(step, i)
    try {
      outcomes.push(await executeStep(wallet, step, o.idempotencyKey ? `${o.idempotencyKey}:${i}` : undefined))
    } catch (err) {
      if (!(err instanceof BaseError)) throw err
      error = err
      break
    } finally {
      done?.()
    }
  }
  const hashes = outcomes.flatMap((x) => x.hashes)
  return { outcomes, hashes, ethSpent: outcomes.reduce((s, x) => s + x.ethSpent, 0n), gasEth: outcomes.reduce((s, x) => s + x.gasEth, 0n), error, stopped }
}

async function executeStep(wallet: Wallet, step: PlanStep, key: string | undefined): Promise<StepOutcome> {
  const out: StepOutcome = { action: step.action, amount: step.amount, ethSpent: 0n, gasEth: 0n, vvvOut: 0n, diemOut: 0n, svvvLocked: 0n, hashes: [] }
  const gasPrice = await wallet.publicClient.getGasPrice()
  const track = (r: { hash?: Hex | undefined; hashes?: Hex[]; gasUsed?: bigint | undefined }) => {
    if (r.hash) out.hashes.push(r.hash)
    if (r.hashes) out.hashes.push(...r.hashes)
    out.gasEth += (r.gasUsed ?? 0n) * gasPrice
  }
  const k = (suffix: string) => (key ? `${key}:${suffix}` : undefined)
  const mintAndStake = async (svvv: bigint) => {
    const m = await mintDiem(wallet, { svvvAmount: svvv, idempotencyKey: k('mint') })
    track(m)
    out.svvvLocked = svvv
    out.diemOut = m.diemOut
    track(await stakeDiem(wallet, { amount: m.diemOut, idempotencyKey: k('stakeDiem') }))
  }
  switch (step.action) {
    case 'restakeRewards': {
      const r = await claimAndStake(wallet, { idempotencyKey: k('restake') })
      track(r)
      out.vvvOut = r.amount
      break
    }
    case 'stakeDiem':
      track(await stakeDiem(wallet, { amount: step.amount, idempotencyKey: k('stakeDiem') }))
      break
    case 'mintDiem':
      await mintAndStake(step.amount)
      break
    case 'stakeVvv':
    case 'stakeVvvMintDiem':
      track(await stakeVvv(wallet, { amount: step.amount, idempotencyKey: k('stake') }))
      // The plan mints the whole unlocked position: what was unlocked before plus this stake.
      if (step.action === 'stakeVvvMintDiem') await mintAndStake(step.svvvLocked > step.amount ? step.svvvLocked : step.amount)
      break
    case 'swapStake':
    case 'swapStakeMintDiem': {
      // The policy caps each swap: split into swaps of at most the cap (the daily cap is checked by each).
      let left = step.amount
      let vvv = 0n
      for (let n = 0; left > 0n; n++) {
        const chunk = left < wallet.policy.maxEthPerSwap ? left : wallet.policy.maxEthPerSwap
        const s = await swapEthForVvv(wallet, { amountIn: chunk, idempotencyKey: k(`swap${n}`) })
        track(s)
        out.ethSpent += s.amountIn
        vvv += s.amountOut
        left -= chunk
      }
      out.vvvOut = vvv
      track(await stakeVvv(wallet, { amount: vvv, idempotencyKey: k('stake') }))
      // The swap's real output, plus the sVVV that was unlocked before (as planned).
      if (step.action === 'swapStakeMintDiem') await mintAndStake(vvv + (step.svvvLocked > step.vvvOut ? step.svvvLocked - step.vvvOut : 0n))
      break
    }
  }
  return out
}
