import { formatEther, formatUnits } from 'viem'
import { ExitCode } from '../../errors/exitCodes.js'
import type { Wallet } from '../createWallet.js'
import { isNetworkError } from '../../errors/networkError.js'
import { NoRouteError } from '../errors.js'
import { FEE_PROBE_WEI, recoverFee, volatileAmountIn } from './aerodromeExactOut.js'
import { aerodromeRouterAbi } from './aerodromeRouterAbi.js'
import { solveInput } from './solveExactOut.js'
import type { SwapQuote, SwapToken } from './types.js'
import {
  basefeeAbi,
  decodeExactIn,
  exactInCall,
  poolLabel,
  SWAP_GAS,
  swapTokenAddress,
  uniswapExactOutCall,
  venuePools,
  type ReadCall,
  type VenueName,
  type VenuePool,
} from './venues.js'

/** One venue's price for the swap, with its gas. */
export type VenueQuote = {
  route: VenueName
  fee?: number | undefined
  stable?: boolean | undefined
  amountIn: bigint
  amountOut: bigint
  /** Gas the swap uses on this venue (`SWAP_GAS`). */
  gas: bigint
  /** `gas` × the block's base fee, wei. */
  gasCostWei: bigint
  /** Exact input: VVV out less the gas cost valued at this pool's price. Exact output: wei in plus gas. */
  net: bigint
}

/** Every venue's price for one swap, the base fee they were valued at, and the winner net of gas. */
export type VenueComparison = {
  kind: 'exactIn' | 'exactOut'
  /** The token bought (VVV when absent). */
  token?: SwapToken | undefined
  baseFee: bigint
  candidates: VenueQuote[]
  best: VenueQuote
}

/** Decimals of the tokens a swap can buy. */
const TOKEN_DECIMALS: Record<SwapToken, number> = { VVV: 18, USDC: 6 }

export type SwapTargetAmount = { amountIn: bigint; amountOut?: undefined } | { amountOut: bigint; amountIn?: undefined }

/**
 * Prices an ETH → VVV (or, with `token: 'USDC'`, ETH → USDC) swap on every venue the wallet may use — the Uniswap V3 fee tiers and Aerodrome's
 * volatile and stable pools — and the block's base fee, in ONE Multicall3 request (a missing pool just
 * drops out). Picks the best output net of gas (exact input) or the least input plus gas (exact output).
 * Aerodrome's volatile exact-output price is solved from its reserves in the same request; only an
 * Aerodrome stable pool with liquidity needs further rounds.
 *
 * @throws {NoRouteError} when no venue has a pool with liquidity.
 *
 * @example
 * ```ts
 * const { best, candidates } = await quoteVenues(wallet, { amountIn: parseEther('0.01') })
 * best.route // 'uniswap-v3'; candidates also holds aerodrome volatile, net of gas
 * ```
 */
export async function quoteVenues(
  wallet: Wallet,
  target: SwapTargetAmount,
  options: { venues?: readonly VenueName[] | undefined; token?: SwapToken | undefined } = {},
): Promise<VenueComparison> {
  const token = options.token ?? 'VVV'
  const pools = venuePools(wallet, options.venues)
  const exactIn = target.amountIn !== undefined
  const reads = pools.map((pool) => (exactIn ? [exactInCall(wallet, pool, target.amountIn, token)] : exactOutReads(wallet, pool, target.amountOut, token)))
  const results = await multicall(wallet, [...reads.flat(), { address: wallet.addresses.multicall3, abi: basefeeAbi, functionName: 'getBasefee' }])
  const baseFee = results.at(-1)?.status === 'success' ? (results.at(-1)!.result as bigint) : 0n
  let at = 0
  const priced: (SwapQuote | undefined)[] = []
  for (const [i, pool] of pools.entries()) {
    const mine = results.slice(at, at + reads[i]!.length)
    at += reads[i]!.length
    if (exactIn) {
      const out = mine[0]?.status === 'success' ? decodeExactIn(pool, mine[0].result) : undefined
      priced.push(out ? { ...poolKey(pool), amountIn: target.amountIn, amountOut: out } : undefined)
    } else priced.push(await exactOutQuote(wallet, pool, target.amountOut, mine, token))
  }
  const candidates = priced.flatMap((q) => (q ? [withGas(q, baseFee, exactIn)] : []))
  const best = pickBest(candidates, exactIn ? 'exactIn' : 'exactOut')
  if (!best) {
    // A venue that prices a small swap has liquidity: then it is this amount that no pool can fill.
    if (
      !isProbe(target) &&
      (await quoteVenues(wallet, exactIn ? { amountIn: PROBE } : { amountOut: PROBE }, options).then(
        () => true,
        () => false,
      ))
    ) {
      const amount = exactIn ? `${formatEther(target.amountIn!)} ETH in` : `${formatUnits(target.amountOut!, TOKEN_DECIMALS[token])} ${token} out`
      throw new NoRouteError(
        `No venue can fill a swap of ${amount}: it is more than the WETH/${token} pools can trade (tried ${pools.map((p) => poolLabel(poolKey(p))).join(', ')}).`,
        {
          metaMessages: ['Ask for a smaller amount (e.g. a lower --stake-vvv or --eth), or swap in parts.'],
          code: 'SWAP_TOO_LARGE',
          exitCode: ExitCode.usage,
        },
      )
    }
    throw new NoRouteError(
      `No venue has a WETH/${token} pool with liquidity (tried ${pools.map((p) => poolLabel(poolKey(p))).join(', ') || 'none: no venue is allowed'}).`,
      {
        metaMessages: ['Check the address book and the spend policy allowlist; on the devnet, is it deployed with its pools?'],
        code: 'NO_ROUTE',
      },
    )
  }
  return { kind: exactIn ? 'exactIn' : 'exactOut', ...(token !== 'VVV' && { token }), baseFee, candidates, best }
}

/** The amount a failed quote is retried with, to tell "no liquidity" from "too large an amount". */
const PROBE = 10n ** 12n
const isProbe = (t: SwapTargetAmount) => t.amountIn === PROBE || t.amountOut === PROBE

/**
 * The winner of a comparison: highest `net` for exact input, lowest for exact output; ties go to the
 * first candidate (Uniswap tiers come first).
 *
 * @example
 * ```ts
 * pickBest([{ net: 5n, … }, { net: 7n, … }], 'exactIn') // the second
 * ```
 */
export function pickBest(candidates: readonly VenueQuote[], kind: 'exactIn' | 'exactOut'): VenueQuote | undefined {
  return candidates.reduce<VenueQuote | undefined>((b, q) => (!b || (kind === 'exactIn' ? q.net > b.net : q.net < b.net) ? q : b), undefined)
}

function poolKey(pool: VenuePool): Pick<SwapQuote, 'route' | 'fee' | 'stable'> {
  return pool.venue === 'uniswap-v3' ? { route: 'uniswap-v3', fee: pool.fee } : { route: 'aerodrome', stable: pool.stable }
}

/**
 * A venue's quote with its gas: the venue's swap gas × `baseFee`, and `net` — for exact input the output
 * less the gas valued at this quote's own price, for exact output the input plus the gas.
 *
 * @example
 * ```ts
 * withGas({ route: 'aerodrome', stable: false, amountIn: parseEther('0.01'), amountOut: parseEther('10') }, parseGwei('1'), true).net
 * // 10 VVV − 175 000 gas × 1 gwei (0.000175 ETH ≈ 0.175 VVV) = 9.825 VVV
 * ```
 */
export function withGas(q: SwapQuote, baseFee: bigint, exactIn: boolean): VenueQuote {
  const gas = SWAP_GAS[q.route]
  const gasCostWei = gas * baseFee
  const net = exactIn ? q.amountOut - (gasCostWei * q.amountOut) / q.amountIn : q.amountIn + gasCostWei
  return { route: q.route, fee: q.fee, stable: q.stable, amountIn: q.amountIn, amountOut: q.amountOut, gas, gasCostWei, net }
}

/** Uniswap: QuoterV2 exact output. Aerodrome: the pool's reserves and a probe quote (fee recovery). */
function exactOutReads(wallet: Wallet, pool: VenuePool, amountOut: bigint, token: SwapToken): ReadCall[] {
  if (pool.venue === 'uniswap-v3') return [uniswapExactOutCall(wallet, pool.fee, amountOut, token)]
  const { weth, aerodromeFactory } = wallet.addresses
  const out = swapTokenAddress(wallet, token)
  return [
    { address: wallet.addresses.aerodromeRouter!, abi: aerodromeRouterAbi, functionName: 'getReserves', args: [weth, out, pool.stable, aerodromeFactory!] },
    exactInCall(wallet, pool, FEE_PROBE_WEI, token),
  ]
}

async function exactOutQuote(wallet: Wallet, pool: VenuePool, amountOut: bigint, results: MulticallResult[], token: SwapToken): Promise<SwapQuote | undefined> {
  if (results.some((r) => r.status !== 'success')) return undefined
  if (pool.venue === 'uniswap-v3') {
    const amountIn = (results[0]!.result as readonly bigint[])[0]
    return amountIn && amountIn > 0n ? { route: 'uniswap-v3', fee: pool.fee, amountIn, amountOut } : undefined
  }
  const [rIn, rOut] = results[0]!.result as readonly [bigint, bigint]
  const probeOut = decodeExactIn(pool, results[1]!.result)
  if (!probeOut || rIn === 0n || rOut <= amountOut) return undefined
  const fee = pool.stable ? undefined : recoverFee(probeOut, rIn, rOut)
  const closed = fee !== undefined ? volatileAmountIn(amountOut, rIn, rOut, fee) : undefined
  if (closed) return { route: 'aerodrome', stable: pool.stable, amountIn: closed, amountOut }
  // Stable curve (or an unrecognised fee): step exact-input quotes on this one pool.
  const solved = await solveInput(
    async (x) => {
      const [r] = await multicall(wallet, [exactInCall(wallet, pool, x, token)])
      return (r?.status === 'success' ? decodeExactIn(pool, r.result) : undefined) ?? 0n
    },
    amountOut,
    (FEE_PROBE_WEI * amountOut) / probeOut + 1n,
  )
  return solved ? { route: 'aerodrome', stable: pool.stable, amountIn: solved.input, amountOut } : undefined
}

type MulticallResult = { status: 'success' | 'failure'; result?: unknown; error?: unknown }

/**
 * `batchSize: 0`: never split into several `eth_call`s (viem chunks calldata over 1 KiB by default). `allowFailure`
 * also swallows a transport failure: an unreachable RPC is rethrown, never taken for "no pool".
 */
async function multicall(wallet: Wallet, contracts: ReadCall[]): Promise<MulticallResult[]> {
  const results = (await wallet.publicClient.multicall({
    contracts,
    allowFailure: true,
    multicallAddress: wallet.addresses.multicall3,
    batchSize: 0,
  } as never)) as MulticallResult[]
  const unreachable = results.find((r) => r.status === 'failure' && isNetworkError(r.error))
  if (unreachable) throw unreachable.error
  return results
}
