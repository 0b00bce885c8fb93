/**
 * The live prices a plan is made with: the swap route's ETH → VVV quote, the staking contract's
 * `getDiemAmountOut`, the gas price, and how much ETH the spend policy and the balance leave for swaps.
 */
import { stakingAbi } from '../chain/abis/index.js'
import type { Wallet } from '../wallet/createWallet.js'
import type { Measurement } from './measure.js'

/**
 * Gas per transaction, measured on the devnet from receipts (test/autopilot.plan.test.ts checks the table
 * against real receipts, within 35 %). Hand-kept because a plan prices transactions that depend on earlier
 * ones (a stake after a swap cannot be estimated before the swap exists).
 */
export const GAS_UNITS = {
  swap: 125_000n,
  approve: 47_000n,
  stake: 95_000n, // 78k–110k measured: the first stake of a wallet writes fresh slots, reward accrual varies
  claimAndStake: 110_000n,
  mintDiem: 170_000n,
  stakeDiem: 75_000n,
} as const

export type Market = {
  gasPrice: bigint
  /** ETH the plan may swap: the balance less a gas reserve, and the policy's room left today (UTC). */
  ethRoom: bigint
  /** What bounds `ethRoom`: the balance or the policy's daily cap. */
  ethBound: 'balance' | 'dailyCap'
  maxEthPerSwap: bigint
  /** ETH left for gas that swaps may not touch. */
  gasReserve: bigint
  /** VVV out for exactly `eth` wei on the wallet's route (live quote, no policy check: the actions do that). */
  vvvForEth(eth: bigint): Promise<bigint>
  /** DIEM out for locking `svvv` (live `getDiemAmountOut`). */
  diemForSvvv(svvv: bigint): Promise<bigint>
  /** ETH value of one whole VVV (wei), from a small live quote: what liquid VVV is worth. */
  ethPerVvv: bigint
  /**
   * VVV per day that one whole sVVV gives up once locked behind DIEM (wei): the staking emission per unit of
   * weight × the share of the yield locked sVVV loses (`LOCKED_YIELD_FORGONE_BPS`). Undefined or 0n: unknown, not counted.
   */
  vvvForgonePerSvvvDay?: bigint | undefined
}

/**
 * Share of the VVV staking yield that sVVV locked behind DIEM gives up: locked sVVV weighs 80 % in the reward
 * split (StakingV2's LOCKED_YIELD_BPS = 8000, which the live ABI does not expose, so it is kept here).
 */
export const LOCKED_YIELD_FORGONE_BPS = 2_000n

/**
 * VVV/day one whole sVVV gives up when locked, from the staking contract's `emissionRatePerSecond` over its
 * total weight (all sVVV, locked sVVV at 80 %).
 *
 * @example
 * ```ts
 * vvvForgonePerSvvvDay({ emissionRatePerSecond: parseEther('0.44'), totalSvvv: parseEther('1000000'), totalLocked: 0n }) // ≈ 0.0076 VVV/day
 * ```
 */
export function vvvForgonePerSvvvDay(o: { emissionRatePerSecond: bigint; totalSvvv: bigint; totalLocked: bigint }): bigint {
  const weight = o.totalSvvv - (o.totalLocked * LOCKED_YIELD_FORGONE_BPS) / 10_000n
  if (weight <= 0n) return 0n
  return (o.emissionRatePerSecond * 86_400n * 10n ** 18n * LOCKED_YIELD_FORGONE_BPS) / 10_000n / weight
}

/**
 * @example
 * ```ts
 * const market = await readMarket(wallet, measurement)
 * await market.vvvForEth(parseEther('0.01'))
 * ```
 */
export async function readMarket(wallet: Wallet, m: Measurement): Promise<Market> {
  const gasPrice = await wallet.publicClient.getGasPrice()
  // Reserve gas for a full plan twice over (swaps, stakes, a mint, a DIEM stake).
  const gasReserve =
    2n *
    gasPrice *
    (4n * GAS_UNITS.swap + 2n * GAS_UNITS.approve + 2n * GAS_UNITS.stake + GAS_UNITS.claimAndStake + 2n * GAS_UNITS.mintDiem + 2n * GAS_UNITS.stakeDiem)
  const spentToday = wallet.journal.spentOnDay(wallet.now())
  const dayLeft = wallet.policy.maxEthPerDay > spentToday ? wallet.policy.maxEthPerDay - spentToday : 0n
  const balanceLeft = m.chain.eth > gasReserve ? m.chain.eth - gasReserve : 0n
  const cache = new Map<string, Promise<bigint>>()
  const memo = (k: string, f: () => Promise<bigint>) => {
    let v = cache.get(k)
    if (!v) cache.set(k, (v = f()))
    return v
  }
  const vvvForEth = (eth: bigint) => (eth === 0n ? Promise.resolve(0n) : memo(`e${eth}`, async () => (await wallet.route.quoteExactIn(wallet, eth)).amountOut))
  const diemForSvvv = (svvv: bigint) =>
    svvv === 0n
      ? Promise.resolve(0n)
      : memo(`d${svvv}`, () =>
          wallet.publicClient.readContract({ address: wallet.addresses.staking, abi: stakingAbi, functionName: 'getDiemAmountOut', args: [svvv] }),
        )
  const probe = 10n ** 15n
  const read = (functionName: 'emissionRatePerSecond' | 'totalLockedStakedVVV') =>
    wallet.publicClient.readContract({ address: wallet.addresses.staking, abi: stakingAbi, functionName }).catch(() => 0n)
  const [probeOut, emissionRatePerSecond, totalLocked] = await Promise.all([vvvForEth(probe), read('emissionRatePerSecond'), read('totalLockedStakedVVV')])
  return {
    gasPrice,
    ethRoom: dayLeft < balanceLeft ? dayLeft : balanceLeft,
    ethBound: dayLeft < balanceLeft ? 'dailyCap' : 'balance',
    maxEthPerSwap: wallet.policy.maxEthPerSwap,
    gasReserve,
    vvvForEth,
    diemForSvvv,
    ethPerVvv: probeOut === 0n ? 0n : (probe * 10n ** 18n) / probeOut,
    vvvForgonePerSvvvDay: vvvForgonePerSvvvDay({ emissionRatePerSecond, totalSvvv: m.stake.totalSvvv, totalLocked }),
  }
}
