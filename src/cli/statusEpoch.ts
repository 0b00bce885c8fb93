/**
 * The epoch part of `gondola status`: when the allowance resets, what comes back, and each key's runway counted
 * across the reset (the runway math is `src/autopilot/runway.ts`).
 */
import { formatEther, parseEther } from 'viem'
import { projectAllowance } from '../autopilot/projection.js'
import { epochRunway } from '../autopilot/runway.js'
import { autopilotStore } from '../autopilot/store.js'
import { stakingAbi } from '../chain/abis/index.js'
import type { Env } from '../config/env.js'
import type { KeySummary } from '../keys/KeyStore.js'
import type { GetBalancesReturnType } from '../wallet/actions/getBalances.js'
import type { Wallet } from '../wallet/createWallet.js'
import type { KeyRunway } from './commands/status.js'

const HOUR = 3_600_000
const round = (n: number) => Math.round(n * 1e6) / 1e6

/** The epoch as status shows it: when the allowance comes back, and how much. */
export type EpochInfo = { nextReset: string; resetsInHours: number; allowanceAfterReset: number; basis: string }

/**
 * Allowance after the reset: the autopilot's projection from the stake when it has learned the pool, else this
 * epoch's allocation (the stake unchanged).
 */
export async function epochOf(env: Env, wallet: Wallet, b: GetBalancesReturnType, nextEpochBegins: string, allocation: number | undefined, now: number): Promise<EpochInfo> {
  const next = Date.parse(nextEpochBegins)
  const store = autopilotStore({ stateDir: env.GONDOLA_STATE_DIR, chainId: wallet.chainId, address: wallet.address })
  const observation = (await store.readRate().catch(() => ({ observation: undefined }))).observation
  let allowanceAfterReset = allocation ?? 0
  let basis = allocation === undefined ? 'unknown' : 'this epoch\'s allocation'
  if (observation) {
    const totalSvvv = await wallet.publicClient.readContract({ address: wallet.addresses.staking, abi: stakingAbi, functionName: 'totalSupply' })
    const projected = projectAllowance({ svvv: b.svvv.total, totalSvvv, stakedDiem: b.diem.staked }, { poolDiem: BigInt(observation.poolDiem), minStakedDiem: parseEther(env.GONDOLA_AUTOPILOT_MIN_STAKED_DIEM) })
    allowanceAfterReset = Number(formatEther(projected))
    basis = `stake × the pool learned ${observation.epochStart.slice(0, 10)}`
  }
  return { nextReset: nextEpochBegins, resetsInHours: round(Math.max(0, next - now) / HOUR), allowanceAfterReset: round(allowanceAfterReset), basis }
}

/** Each key's runway counted across the reset: its spendable comes back (up to its own EPOCH limit). */
export function withEpoch(runways: KeyRunway[], keys: readonly KeySummary[], epoch: EpochInfo | undefined): (KeyRunway & { runwayHoursIgnoringReset: number | null; sustainable: boolean | null })[] {
  return runways.map((r) => {
    if (!epoch || r.spendable === null) return { ...r, runwayHoursIgnoringReset: r.runwayHours, sustainable: null }
    const k = keys.find((x) => x.id === r.keyId)
    const keyLimit = k?.limitPeriod === 'EPOCH' ? (k.consumptionLimit.diem ?? undefined) : undefined
    const after = keyLimit === undefined ? epoch.allowanceAfterReset : Math.min(keyLimit, epoch.allowanceAfterReset)
    const e = epochRunway({ balance: r.spendable, burnPerHour: r.burnPerHour, msToReset: epoch.resetsInHours * HOUR, allowanceAfterReset: after })
    return { ...r, runwayHours: e.hours, runwayHoursIgnoringReset: r.runwayHours, sustainable: r.burnPerHour > 0 ? e.sustainable : null }
  })
}

