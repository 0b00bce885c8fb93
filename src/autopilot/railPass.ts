/**
 * The two-rail comparison for a wallet, measured now: the allowance measurement, the planner's market and the
 * rails' market, then `compareRails`. What the CLI and the host's `funding.rail: 'auto'` call; nothing is sent.
 */
import type { PaymentRail } from '../agent/fundingRail.js'
import type { Wallet } from '../wallet/createWallet.js'
import { readMarket } from './market.js'
import { measureAllowance, type AllowanceSource } from './measure.js'
import { readRailMarket } from './railMarket.js'
import { compareRails, type RailComparison } from './rails.js'
import type { AutopilotStore } from './store.js'

export type RailPassParameters = {
  wallet: Wallet
  store: AutopilotStore
  venice?: AllowanceSource | undefined
  minStakedDiem: bigint
  minClaimVvv: bigint
  /** Diem per day to cover (base units). */
  usageDiemPerDay: bigint
  horizonDays: number
  rails: readonly PaymentRail[]
  now?: (() => number) | undefined
}

/**
 * @example
 * ```ts
 * const cmp = await compareRailsNow({ wallet, store, minStakedDiem: parseEther('0.1'), minClaimVvv: parseEther('1'), usageDiemPerDay: parseEther('2'), horizonDays: 30, rails: ['diem', 'x402'] })
 * cmp.best?.diemShareBps // 10000: all of it staked
 * ```
 */
export async function compareRailsNow(p: RailPassParameters): Promise<RailComparison> {
  const measurement = await measureAllowance({ wallet: p.wallet, store: p.store, venice: p.venice, minStakedDiem: p.minStakedDiem, now: p.now })
  const market = await readMarket(p.wallet, measurement)
  const railMarket = await readRailMarket({
    publicClient: p.wallet.publicClient,
    addresses: p.wallet.addresses,
    address: p.wallet.address,
    totalSvvv: measurement.stake.totalSvvv,
    gasPrice: market.gasPrice,
  })
  return compareRails({
    measurement,
    market,
    railMarket,
    usageDiemPerDay: p.usageDiemPerDay,
    horizonDays: p.horizonDays,
    rails: p.rails,
    minClaimVvv: p.minClaimVvv,
  })
}
