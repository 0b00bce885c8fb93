/**
 * The live prices the two-rail comparison needs besides the Diem planner's own (`readMarket`): ETH → USDC (the
 * dollar value of every ETH figure, and what buying x402 credits costs), VVV → ETH (what the staked capital
 * sells back for at the horizon), the staking yield, and the two exit cooldowns. Read from the chain the
 * wallet is on (the devnet's pools and contracts, or Base's), at today's prices: the comparison holds them
 * constant over the horizon.
 */
import { erc20Abi, type Address, type PublicClient } from 'viem'
import { diemAbi, quoterV2Abi, stakingAbi } from '../chain/abis/index.js'
import type { AddressBook } from '../chain/addressBook.js'
import { UNISWAP_FEE_TIERS } from '../wallet/routes/venues.js'
import { LOCKED_YIELD_FORGONE_BPS } from './market.js'
import { solveMonotone } from './solve.js'

/** Venice's minimum x402 top-up: $5 (openapi.yaml, tag x402), in USDC base units (6 decimals). */
export const X402_MIN_TOP_UP_USDC = 5_000_000n

/** What the comparison reads besides the planner's market. Amounts in base units: wei, USDC (6 decimals). */
export type RailMarket = {
  /** USDC (base units) per whole ETH at the pool's price (a 0.01 ETH quote, fee added back); undefined: no ETH → USDC pool. */
  usdcPerEth: bigint | undefined
  /** ETH (wei) that buys exactly `usdc` of USDC on the best Uniswap V3 tier, fee and price impact included. */
  ethForUsdc(usdc: bigint): Promise<bigint | undefined>
  /** ETH (wei) `vvv` sells for on the best Uniswap V3 tier today (the exit, priced at today's pools). */
  ethForVvv(vvv: bigint): Promise<bigint>
  /** USDC the wallet already holds (spent before any swap). */
  usdcHeld: bigint
  /** VVV per day one whole unlocked sVVV earns (wei); locked sVVV earns `1 − LOCKED_YIELD_FORGONE_BPS` of it. */
  vvvYieldPerSvvvDay: bigint
  /** sVVV unstake cooldown and DIEM unstake cooldown (seconds), waited after the horizon to get the capital back. */
  svvvCooldownSeconds: bigint
  diemCooldownSeconds: bigint
  gasPrice: bigint
  /** Venice's minimum top-up (USDC base units). */
  minTopUpUsdc: bigint
}

export type ReadRailMarketParameters = {
  publicClient: PublicClient
  addresses: AddressBook
  /** Whose USDC counts as held. */
  address: Address
  /** Total sVVV (the yield's denominator), as measured. */
  totalSvvv: bigint
  gasPrice: bigint
}

/**
 * @example
 * ```ts
 * const rails = await readRailMarket({ publicClient, addresses, address, totalSvvv: m.stake.totalSvvv, gasPrice: market.gasPrice })
 * rails.usdcPerEth // 3000000000n on a $3,000/ETH pool
 * ```
 */
export async function readRailMarket(p: ReadRailMarketParameters): Promise<RailMarket> {
  const { publicClient: client, addresses: a } = p
  const quote = async (tokenIn: Address, tokenOut: Address, amountIn: bigint, fee: number) => {
    try {
      const { result } = await client.simulateContract({
        address: a.quoter,
        abi: quoterV2Abi,
        functionName: 'quoteExactInputSingle',
        args: [{ tokenIn, tokenOut, amountIn, fee, sqrtPriceLimitX96: 0n }],
      })
      return result[0]
    } catch {
      return 0n // no pool at this tier (or too little liquidity): not a route
    }
  }
  const best = async (tokenIn: Address, tokenOut: Address, amountIn: bigint) =>
    amountIn === 0n ? 0n : (await Promise.all(UNISWAP_FEE_TIERS.map((f) => quote(tokenIn, tokenOut, amountIn, f)))).reduce((x, y) => (y > x ? y : x), 0n)
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
    client.readContract({ address, abi, functionName, args } as Parameters<typeof client.readContract>[0]) as Promise<T>
  const probe = 10n ** 16n
  const usdc = a.usdc
  // The dollar value of ETH: a small swap's output with its tier's fee added back (the pool's price, not a sale's).
  const midUsdc = async (token: Address) =>
    (await Promise.all(UNISWAP_FEE_TIERS.map(async (f) => ((await quote(a.weth, token, probe, f)) * 1_000_000n) / BigInt(1_000_000 - f)))).reduce(
      (x, y) => (y > x ? y : x),
      0n,
    )
  const [probeUsdc, usdcHeld, svvvCooldownSeconds, diemCooldownSeconds, emission, totalLocked] = await Promise.all([
    usdc ? midUsdc(usdc) : Promise.resolve(0n),
    usdc ? read<bigint>(usdc, erc20Abi, 'balanceOf', [p.address]).catch(() => 0n) : Promise.resolve(0n),
    read<bigint>(a.staking, stakingAbi, 'cooldownDuration'),
    read<bigint>(a.diem, diemAbi, 'cooldownDuration'),
    read<bigint>(a.staking, stakingAbi, 'emissionRatePerSecond').catch(() => 0n),
    read<bigint>(a.staking, stakingAbi, 'totalLockedStakedVVV').catch(() => 0n),
  ])
  const usdcPerEth = probeUsdc === 0n ? undefined : (probeUsdc * 10n ** 18n) / probe
  const weight = p.totalSvvv - (totalLocked * LOCKED_YIELD_FORGONE_BPS) / 10_000n
  return {
    usdcPerEth,
    // Exact output by bisection over the best tier's exact-input quotes (the planner's one solver).
    ethForUsdc: async (want) =>
      want === 0n ? 0n : usdc && usdcPerEth ? solveMonotone((x) => best(a.weth, usdc, x), want, { probe: (want * 10n ** 18n) / usdcPerEth }) : undefined,
    ethForVvv: (vvv) => best(a.vvv, a.weth, vvv),
    usdcHeld,
    vvvYieldPerSvvvDay: weight <= 0n ? 0n : (emission * 86_400n * 10n ** 18n) / weight,
    svvvCooldownSeconds,
    diemCooldownSeconds,
    gasPrice: p.gasPrice,
    minTopUpUsdc: X402_MIN_TOP_UP_USDC,
  }
}
