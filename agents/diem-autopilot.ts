import { formatEther, parseEther, type Hex } from 'viem'
import { defineAgent } from '../src/agent/defineAgent.js'
import { claimAndStake } from '../src/wallet/actions/claimAndStake.js'
import { ensureDiem, type EnsureDiemReturnType } from '../src/wallet/actions/ensureDiem.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { formatShort } from '../src/wallet/amounts.js'
import type { Wallet } from '../src/wallet/createWallet.js'
import { InsufficientFundsError } from '../src/wallet/errors.js'

/** Options of one autopilot pass. Amounts in base units (18 decimals). */
export type DiemAutopilotParameters = {
  /** Staked DIEM to hold: each staked DIEM is $1 of Venice compute per day, so this is the daily allowance. */
  targetStakedDiem: bigint
  /** Restake pending VVV rewards only from this amount on (gas is not worth dust). Default 1 VVV. */
  minClaimVvv?: bigint | undefined
}

/** What one pass did. `hashes` is empty when everything was already in place. */
export type DiemAutopilotReturnType = {
  restaked: bigint
  diem: EnsureDiemReturnType | undefined
  /** Why DIEM could not be brought to target (not enough unlocked sVVV), in words. */
  short: string | undefined
  hashes: Hex[]
  summary: string
}

/**
 * `diem-autopilot`, the deterministic part: one pass of Diem balance automation under the wallet's spend
 * policy. (1) When pending staking rewards reach `minClaimVvv`, `claimAndStake` them (more sVVV, a bigger pool
 * share). (2) `ensureDiem` to hold `targetStakedDiem`: stake liquid DIEM, mint only what is missing from unlocked
 * sVVV. Idempotent: a pass right after another sends nothing. Run it on a schedule (`gondola run diem-autopilot --schedule`).
 *
 * @example
 * ```ts
 * const pass = await runDiemAutopilot(wallet, { targetStakedDiem: parseEther('0.5') })
 * pass.summary // 'restaked 44.1 VVV; minted 0.5 DIEM and staked 0.5 (3 tx)'
 * ```
 */
export async function runDiemAutopilot(wallet: Wallet, p: DiemAutopilotParameters): Promise<DiemAutopilotReturnType> {
  const minClaim = p.minClaimVvv ?? parseEther('1')
  const hashes: Hex[] = []
  const parts: string[] = []
  let restaked = 0n
  const { pendingRewards } = await getBalances(wallet)
  if (pendingRewards > 0n && pendingRewards >= minClaim) {
    const r = await claimAndStake(wallet)
    restaked = r.amount
    if (r.hash) hashes.push(r.hash)
    parts.push(`restaked ${formatShort(r.amount)} VVV of rewards`)
  }
  let diem: EnsureDiemReturnType | undefined
  let short: string | undefined
  try {
    diem = await ensureDiem(wallet, { targetStakedDiem: p.targetStakedDiem })
    hashes.push(...diem.hashes)
    if (diem.status !== 'already') parts.push(`${diem.mint ? `minted ${formatShort(diem.mint.diemOut)} DIEM from ${formatShort(diem.mint.svvvLocked)} sVVV, ` : ''}staked ${formatShort(diem.staked)} DIEM`)
  } catch (err) {
    if (!(err instanceof InsufficientFundsError)) throw err
    short = [err.shortMessage, ...err.metaMessages].join(' ')
    parts.push(`DIEM short of target: ${short}`)
  }
  const summary = parts.length ? `${parts.join('; ')} (${hashes.length} tx)` : `nothing to do: ${formatEther(p.targetStakedDiem)} DIEM staked, rewards below ${formatEther(minClaim)} VVV`
  return { restaked, diem, short, hashes, summary }
}

/**
 * The optional model-driven variant: the same two moves as tools the model may ask for
 * (`claim_and_restake`, `hold_staked_diem`); the wallet's policy still decides.
 *
 * @example
 * ```ts
 * await host.run(diemAutopilotAgent, { prompt: 'Call claim_and_restake, then hold_staked_diem with targetStakedDiem=0.5.' })
 * ```
 */
export const diemAutopilotAgent = defineAgent({
  name: 'diem-autopilot-agent',
  description: 'Diem balance automation by request: restake rewards, hold a staked DIEM target.',
  system: 'You keep the daily Diem allowance at its target. Restake rewards with claim_and_restake when asked, and hold the staked DIEM target with hold_staked_diem. Report what was sent in one sentence.',
  prompt: 'Call claim_and_restake and hold_staked_diem with targetStakedDiem=0.1.',
  model: 'function_calling_default',
  tools: ['claim_and_restake', 'hold_staked_diem'],
  maxSteps: 3,
  budget: { diemPerRun: 0.05 },
  schedule: { cron: '5 0 * * *' }, // daily at 00:05 UTC, just after the epoch resets at 00:00 UTC
})

export default diemAutopilotAgent
