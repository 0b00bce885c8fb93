/**
 * Measures today's allowance: the chain (stake, staked DIEM) and, when a Venice ADMIN key is at hand, the
 * epoch's allocation and remaining balance (`GET /billing/balance`) and the next reset
 * (`GET /api_keys/rate_limits` `nextEpochBegins`). The pool share is learned from the allocation observed right
 * after an epoch reset (before the autopilot acted that epoch) and persisted; until one exists, the first
 * observation available stands in, flagged `mid-epoch`.
 */
import { parseEther } from 'viem'
import { stakingAbi } from '../chain/abis/index.js'
import { listAllBillingUsage, type VeniceClient } from '../venice/createVeniceClient.js'
import type { BillingBalance, RateLimits } from '../venice/schemas.js'
import { getBalances, type GetBalancesReturnType } from '../wallet/actions/getBalances.js'
import type { Wallet } from '../wallet/createWallet.js'
import { learnPool, projectAllowance, type AllowanceModel, type StakeState } from './projection.js'
import type { AutopilotStore, Observation } from './store.js'

export const DAY_MS = 86_400_000

/** The Venice reads the autopilot uses (ADMIN key); `veniceAllowanceSource` adapts a Venice client. */
export type AllowanceSource = {
  getBillingBalance(): Promise<BillingBalance>
  getRateLimits(): Promise<RateLimits>
  /** Diem charged in [start, end) (ms), from the billing ledger. */
  diemSpentBetween?(start: number, end: number): Promise<number>
}

/**
 * @example
 * ```ts
 * const source = veniceAllowanceSource(createVeniceClient({ baseURL, apiKey: adminKey }))
 * ```
 */
export function veniceAllowanceSource(client: VeniceClient): AllowanceSource {
  return {
    getBillingBalance: () => client.getBillingBalance(),
    getRateLimits: () => client.getRateLimits(),
    async diemSpentBetween(start, end) {
      const rows = await listAllBillingUsage(client, {
        currency: 'DIEM',
        startTimestamp: new Date(start).toISOString(),
        endTimestamp: new Date(end).toISOString(),
      })
      return rows
        .filter((r) => r.currency === 'DIEM' && Date.parse(r.timestamp) >= start && Date.parse(r.timestamp) < end)
        .reduce((s, r) => s + Math.abs(r.amount), 0)
    },
  }
}

/** Today's allowance as Venice reports it. Numbers are Diem (floats at the API edge). */
export type VeniceToday = { allocation: number; balance: number; spent: number; canConsume: boolean }

export type Measurement = {
  /** Clock of the measurement (Venice's, from `nextEpochBegins`, when available). */
  now: number
  epochStart: number
  nextReset: number
  chain: GetBalancesReturnType
  stake: StakeState
  model: AllowanceModel
  observation: Observation | undefined
  /** Whether this measurement taught (or re-taught) the pool. */
  learned: boolean
  venice: VeniceToday | undefined
  /** Spendable Diem per day the current stake yields from the next reset on (base units). */
  projected: bigint
}

export type MeasureParameters = {
  wallet: Wallet
  store: AutopilotStore
  venice?: AllowanceSource | undefined
  /** Staked DIEM below which nothing is spendable (0n: the rule is off). */
  minStakedDiem: bigint
  /** How long after a reset an observation counts as "right after" it (default 2 h). */
  learnWindowMs?: number | undefined
  /** Fallback clock when Venice cannot be asked (default `Date.now`). */
  now?: (() => number) | undefined
}

/**
 * @example
 * ```ts
 * const m = await measureAllowance({ wallet, store, venice: admin, minStakedDiem: parseEther('0.1') })
 * formatEther(m.projected) // '1.1' Diem per day
 * ```
 */
export async function measureAllowance(p: MeasureParameters): Promise<Measurement> {
  const [chain, totalSvvv, billing, limits] = await Promise.all([
    getBalances(p.wallet),
    p.wallet.publicClient.readContract({ address: p.wallet.addresses.staking, abi: stakingAbi, functionName: 'totalSupply' }),
    p.venice?.getBillingBalance(),
    p.venice?.getRateLimits(),
  ])
  const venReset = limits ? Date.parse(limits.nextEpochBegins) : Number.NaN
  const clockNow = (p.now ?? Date.now)()
  const epochStart = Number.isFinite(venReset) ? venReset - DAY_MS : Math.floor(clockNow / DAY_MS) * DAY_MS
  // Venice's epoch wins; a local clock that disagrees with it is clamped into that epoch.
  const at = Math.min(Math.max(clockNow, epochStart), epochStart + DAY_MS - 1)
  const stake: StakeState = { svvv: chain.svvv.total, totalSvvv, stakedDiem: chain.diem.staked }
  const venice: VeniceToday | undefined = billing
    ? {
        allocation: billing.diemEpochAllocation,
        balance: billing.balances.diem ?? 0,
        spent: Math.max(0, billing.diemEpochAllocation - (billing.balances.diem ?? 0)),
        canConsume: billing.canConsume,
      }
    : undefined

  const file = await p.store.readRate()
  let observation = file.observation
  let learned = false
  const actedThisEpoch = file.lastActionEpoch === new Date(epochStart).toISOString()
  if (billing && stake.svvv > 0n && !actedThisEpoch) {
    const fresh = at - epochStart <= (p.learnWindowMs ?? 2 * 3_600_000)
    const better = fresh ? !observation || observation.kind !== 'reset' || Date.parse(observation.epochStart) < epochStart : !observation
    const allocation = diemToWei(billing.diemEpochAllocation)
    const pool = learnPool({ ...stake, allocation })
    if (better && pool !== undefined) {
      observation = {
        kind: fresh ? 'reset' : 'mid-epoch',
        at: new Date(at).toISOString(),
        epochStart: new Date(epochStart).toISOString(),
        allocation: allocation.toString(),
        svvv: stake.svvv.toString(),
        totalSvvv: stake.totalSvvv.toString(),
        stakedDiem: stake.stakedDiem.toString(),
        poolDiem: pool.toString(),
        ratePerSvvv: stake.totalSvvv === 0n ? '0' : ((pool * 10n ** 18n) / stake.totalSvvv).toString(),
      }
      await p.store.writeRate({ ...file, observation })
      learned = true
    }
  }
  const model: AllowanceModel = { poolDiem: observation ? BigInt(observation.poolDiem) : undefined, minStakedDiem: p.minStakedDiem }
  return { now: at, epochStart, nextReset: epochStart + DAY_MS, chain, stake, model, observation, learned, venice, projected: projectAllowance(stake, model) }
}

/** Diem (an API float) to base units, to 9 decimals. */
export function diemToWei(diem: number): bigint {
  return parseEther(Math.max(0, diem).toFixed(9))
}
