/**
 * Users (one per wallet that minted a key) and their money: the Diem allowance per epoch read from
 * the chain, a USD balance, and charging in the order Diem then USD under each key's limits.
 */
import type { Address } from 'viem'
import type { ChainReader, Stake } from '../chainReader.js'
import { epochStart, periodStart, type EmulatorClock } from './clock.js'
import { keySpendSince, recordKeySpend, type ApiKeyRecord } from './keyStore.js'
import { MESSAGES, VeniceHttpError } from '../http/VeniceHttpError.js'
import { UsageLog } from './usageLog.js'

/**
 * One charged request, as the billing ledger reports it. `seq` grows by one per charge (across all
 * users), so entries sharing a millisecond still have a stable order; `requestId` is the response id
 * (`chatcmpl-…` for chat) when the route has one.
 */
export type UsageEntry = {
  seq: number
  at: number
  keyId: string
  requestId: string
  model: string
  promptTokens: number
  completionTokens: number
  usd: number
  diem: number
  kind: string
}

export type User = { address: Address; usd: number; diemSpent: Map<number, number>; usage: UsageLog }

export type AccountsOptions = {
  chain: ChainReader
  clock: EmulatorClock
  epochMs: number
  /** Diem shared each epoch among all sVVV holders in proportion to their stake. */
  dailyPoolDiem: number
  /** Starting USD balance of every new user. */
  usdBalance: number
  /** How long (wall-clock ms) a chain read is reused within one epoch. */
  chainCacheMs?: number
  /**
   * Staked DIEM (whole tokens) below which no Diem is spendable (the current guide's 0.1 rule).
   * The allocation is still reported; only the spendable balance drops to 0. Default: no minimum.
   */
  minStakedDiemForDiem?: number | undefined
}

/** A wallet's Diem allocation this epoch, and whether any of it may be spent. */
type Allocation = { total: number; spendable: boolean }

const WAD = 10n ** 18n
const toNumber = (v: bigint): number => Number(v / 10n ** 9n) / 1e9
const USAGE_CAP = 10_000

export type Accounts = ReturnType<typeof createAccounts>

/**
 * @example
 * ```ts
 * const accounts = createAccounts({ chain, clock, epochMs: 86_400_000, dailyPoolDiem: 1000, usdBalance: 0 })
 * const { diem, usd } = await accounts.balances('0xabc…')
 * ```
 */
export function createAccounts(options: AccountsOptions) {
  const users = new Map<Address, User>()
  const stakeCache = new Map<Address, { epoch: number; at: number; allocation: Promise<Allocation> }>()
  const cacheMs = options.chainCacheMs ?? 2_000
  let seq = 0

  const user = (address: Address): User => {
    let u = users.get(address)
    if (!u) users.set(address, (u = { address, usd: options.usdBalance, diemSpent: new Map(), usage: new UsageLog(USAGE_CAP) }))
    return u
  }
  const allocationOf = (stake: Stake): Allocation => {
    const share = stake.totalSvvv === 0n ? 0 : toNumber((stake.svvv * WAD) / stake.totalSvvv)
    const stakedDiem = toNumber(stake.stakedDiem)
    return { total: stakedDiem + share * options.dailyPoolDiem, spendable: stakedDiem >= (options.minStakedDiemForDiem ?? 0) }
  }
  /** The wallet's Diem allocation this epoch (chain read cached briefly, re-read at each new epoch). */
  const allocation = (address: Address): Promise<Allocation> => {
    const epoch = epochStart(options.clock.now(), options.epochMs)
    const hit = stakeCache.get(address)
    if (hit && hit.epoch === epoch && performance.now() - hit.at < cacheMs) return hit.allocation
    const p = options.chain.getStake(address).then(allocationOf)
    p.catch(() => stakeCache.delete(address))
    stakeCache.set(address, { epoch, at: performance.now(), allocation: p })
    return p
  }
  const balances = async (address: Address): Promise<{ diem: number; usd: number; allowance: number }> => {
    const u = user(address)
    const { total, spendable } = await allocation(address)
    const spent = u.diemSpent.get(epochStart(options.clock.now(), options.epochMs)) ?? 0
    return { diem: spendable ? Math.max(0, total - spent) : 0, usd: Math.max(0, u.usd), allowance: total }
  }

  return {
    user,
    users: (): User[] => [...users.values()],
    getStake: (address: Address) => options.chain.getStake(address),
    balances,
    /** Forgets cached chain reads (e.g. after a test stakes more). */
    invalidate: (address?: Address) => (address ? stakeCache.delete(address) : stakeCache.clear()),
    setUsd: (address: Address, usd: number) => {
      user(address).usd = usd
    },
    /**
     * Throws the 402 a request would get before running: the key's limit is used up, or the
     * account has nothing to spend.
     */
    async assertCanSpend(key: ApiKeyRecord): Promise<{ diem: number; usd: number }> {
      const now = options.clock.now()
      const used = keySpendSince(key, periodStart(key.limitPeriod, now, options.epochMs))
      const lim = key.consumptionLimit
      const bal = await balances(key.owner)
      const diemRoom = lim.diem === null ? bal.diem : Math.min(bal.diem, lim.diem - used.diem)
      const usdRoom = lim.usd === null ? bal.usd : Math.min(bal.usd, lim.usd - used.usd)
      if (diemRoom <= 0 && usdRoom <= 0) {
        const diemCapped = lim.diem !== null && used.diem >= lim.diem
        const usdCapped = lim.usd !== null && used.usd >= lim.usd
        throw new VeniceHttpError(402, diemCapped ? MESSAGES.diemLimit : usdCapped ? MESSAGES.usdLimit : MESSAGES.insufficientBalance)
      }
      return bal
    },
    /** Charges `cost` (USD-equivalent): Diem first (within the allowance and key limit), then USD. */
    async charge(
      key: ApiKeyRecord,
      cost: number,
      line: Omit<UsageEntry, 'seq' | 'at' | 'keyId' | 'usd' | 'diem' | 'requestId'> & { requestId?: string },
    ): Promise<{ diem: number; usd: number }> {
      const now = options.clock.now()
      const epoch = epochStart(now, options.epochMs)
      const u = user(key.owner)
      const bal = await balances(key.owner)
      const used = keySpendSince(key, periodStart(key.limitPeriod, now, options.epochMs))
      const lim = key.consumptionLimit
      const diemRoom = Math.max(0, lim.diem === null ? bal.diem : Math.min(bal.diem, lim.diem - used.diem))
      const diem = Math.min(cost, diemRoom)
      const usdRoom = Math.max(0, lim.usd === null ? bal.usd : Math.min(bal.usd, lim.usd - used.usd))
      const usd = Math.min(cost - diem, usdRoom)
      u.diemSpent.set(epoch, (u.diemSpent.get(epoch) ?? 0) + diem)
      u.usd -= usd
      recordKeySpend(key, { usd, diem }, epoch, epochStart(now, 86_400_000))
      key.lastUsedAt = now
      seq += 1
      u.usage.push({
        model: line.model,
        promptTokens: line.promptTokens,
        completionTokens: line.completionTokens,
        kind: line.kind,
        requestId: line.requestId ?? `${line.kind}-${key.id}-${seq}`,
        seq,
        at: now,
        keyId: key.id,
        usd,
        diem,
      })
      return { diem, usd }
    },
  }
}
