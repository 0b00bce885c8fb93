import { parseAbi, parseEther, parseGwei, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { AERODROME_FACTORY_ADDRESS, AERODROME_ROUTER_ADDRESS, addressBookContracts } from '../src/chain/addressBook.js'
import { ensureStake } from '../src/wallet/actions/ensureStake.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { quoteSwap } from '../src/wallet/actions/quoteSwap.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { createPolicy } from '../src/wallet/policy/policy.js'
import { recoverFee, volatileAmountIn, volatileAmountOut, FEE_PROBE_WEI } from '../src/wallet/routes/aerodromeExactOut.js'
import { aerodromePoolAbi, aerodromeRouterAbi } from '../src/wallet/routes/aerodromeRouterAbi.js'
import { aerodromeRoute } from '../src/wallet/routes/aerodromeRoute.js'
import { uniswapV3Route } from '../src/wallet/routes/uniswapV3Route.js'
import { SWAP_GAS, aerodromeHop } from '../src/wallet/routes/venues.js'
import { pickBest, quoteVenues, withGas } from '../src/wallet/routes/quoteVenues.js'
import { simulateCall } from '../src/wallet/send/simulateCall.js'
import { devnetWallet, useDevnet } from './helpers/useDevnet.js'
import { moveVenue as moveVenueOn } from './helpers/moveVenue.js'
import { testWallet } from './helpers/testWallet.js'

const devnet = useDevnet()

async function aeroPool(): Promise<Address> {
  const a = devnet().addresses
  return devnet().publicClient.readContract({
    address: AERODROME_FACTORY_ADDRESS,
    abi: aerodromePoolAbi,
    functionName: 'getPool',
    args: [a.weth, a.vvv, false],
  })
}

/** A dev account buys VVV with `eth` on one venue, moving that venue's price. */
const moveVenue = (venue: 'uniswap-v3' | 'aerodrome', eth: bigint) => moveVenueOn(devnet(), venue, eth)

describe('best net of gas', () => {
  const q = (route: 'uniswap-v3' | 'aerodrome', amountOut: string, amountIn = '0.01') => ({
    route,
    amountIn: parseEther(amountIn),
    amountOut: parseEther(amountOut),
    ...(route === 'aerodrome' ? { stable: false } : { fee: 3000 }),
  })
  it('a venue with the better gross output loses when its extra gas costs more than the difference', () => {
    const uni = q('uniswap-v3', '9.99')
    const aero = q('aerodrome', '10') // 0.1 % more VVV, but 25 000 more gas
    expect(pickBest([withGas(uni, parseGwei('0.01'), true), withGas(aero, parseGwei('0.01'), true)], 'exactIn')!.route).toBe('aerodrome') // cheap gas: output decides
    expect(pickBest([withGas(uni, parseGwei('1'), true), withGas(aero, parseGwei('1'), true)], 'exactIn')!.route).toBe('uniswap-v3') // 25k more gas × 1 gwei = 0.25 % of 0.01 ETH, more than the 0.1 %
    expect(withGas(aero, parseGwei('1'), true).net).toBe(parseEther('10') - (175_000n * parseGwei('1') * parseEther('10')) / parseEther('0.01'))
  })
  it('exact output: least input plus gas wins', () => {
    const uni = { ...q('uniswap-v3', '10'), amountIn: parseEther('0.01003') }
    const aero = { ...q('aerodrome', '10'), amountIn: parseEther('0.01') }
    expect(pickBest([withGas(uni, parseGwei('0.01'), false), withGas(aero, parseGwei('0.01'), false)], 'exactOut')!.route).toBe('aerodrome')
    expect(pickBest([withGas(uni, parseGwei('10'), false), withGas(aero, parseGwei('10'), false)], 'exactOut')!.route).toBe('uniswap-v3')
    expect(pickBest([], 'exactIn')).toBeUndefined()
  })
})

describe('Aerodrome on the devnet', () => {
  it('sits at Base addresses with the live ABI: factory getPool/getFee/isPool, router defaultFactory/weth/poolFor/getReserves', async () => {
    const d = devnet()
    const a = d.addresses
    expect(a.aerodromeRouter).toBe(AERODROME_ROUTER_ADDRESS)
    expect(a.aerodromeFactory).toBe(AERODROME_FACTORY_ADDRESS)
    const pool = await aeroPool()
    const read = d.publicClient.readContract
    expect(await read({ address: AERODROME_FACTORY_ADDRESS, abi: aerodromePoolAbi, functionName: 'isPool', args: [pool] })).toBe(true)
    expect(await read({ address: AERODROME_FACTORY_ADDRESS, abi: aerodromePoolAbi, functionName: 'getFee', args: [pool, false] })).toBe(30n)
    expect(await read({ address: AERODROME_FACTORY_ADDRESS, abi: aerodromePoolAbi, functionName: 'getPool', args: [a.weth, a.vvv, true] })).toBe(
      '0x0000000000000000000000000000000000000000',
    )
    expect(await read({ address: AERODROME_ROUTER_ADDRESS, abi: aerodromeRouterAbi, functionName: 'defaultFactory' })).toBe(AERODROME_FACTORY_ADDRESS)
    expect(await read({ address: AERODROME_ROUTER_ADDRESS, abi: aerodromeRouterAbi, functionName: 'weth' })).toBe(a.weth)
    expect(
      await read({
        address: AERODROME_ROUTER_ADDRESS,
        abi: aerodromeRouterAbi,
        functionName: 'poolFor',
        args: [a.vvv, a.weth, false, AERODROME_FACTORY_ADDRESS],
      }),
    ).toBe(pool)
    const [rWeth, rVvv] = await read({
      address: AERODROME_ROUTER_ADDRESS,
      abi: aerodromeRouterAbi,
      functionName: 'getReserves',
      args: [a.weth, a.vvv, false, AERODROME_FACTORY_ADDRESS],
    })
    expect([rWeth, rVvv]).toEqual([parseEther('5000'), parseEther('4900000')])
  })

  it('prices with the volatile pool math x·y = k, fee off the input, and the router agrees with the pool', async () => {
    const d = devnet()
    const a = d.addresses
    const pool = await aeroPool()
    const amountIn = parseEther('3')
    const expected = volatileAmountOut(amountIn, parseEther('5000'), parseEther('4900000'), 30n)
    expect(await d.publicClient.readContract({ address: pool, abi: aerodromePoolAbi, functionName: 'getAmountOut', args: [amountIn, a.weth] })).toBe(expected)
    const amounts = await d.publicClient.readContract({
      address: AERODROME_ROUTER_ADDRESS,
      abi: aerodromeRouterAbi,
      functionName: 'getAmountsOut',
      args: [amountIn, [{ from: a.weth, to: a.vvv, stable: false, factory: AERODROME_FACTORY_ADDRESS }]],
    })
    expect(amounts).toEqual([amountIn, expected])
    // A hop with no pool prices at 0 rather than reverting, as on Base.
    const stable = await d.publicClient.readContract({
      address: AERODROME_ROUTER_ADDRESS,
      abi: aerodromeRouterAbi,
      functionName: 'getAmountsOut',
      args: [amountIn, [{ from: a.weth, to: a.vvv, stable: true, factory: AERODROME_FACTORY_ADDRESS }]],
    })
    expect(stable).toEqual([amountIn, 0n])
  })

  it('solves exact output in closed form: the least input that buys the target, fee recovered from one probe', () => {
    const [rIn, rOut] = [parseEther('5000'), parseEther('4900000')]
    expect(recoverFee(volatileAmountOut(FEE_PROBE_WEI, rIn, rOut, 30n), rIn, rOut)).toBe(30n)
    expect(recoverFee(volatileAmountOut(FEE_PROBE_WEI, rIn, rOut, 0n), rIn, rOut)).toBe(0n)
    for (const target of [1n, 12345n, parseEther('20'), parseEther('123456.789')]) {
      const x = volatileAmountIn(target, rIn, rOut, 30n)!
      expect(volatileAmountOut(x, rIn, rOut, 30n)).toBeGreaterThanOrEqual(target)
      expect(volatileAmountOut(x - 1n, rIn, rOut, 30n)).toBeLessThan(target)
    }
    expect(volatileAmountIn(rOut, rIn, rOut, 30n)).toBeUndefined()
  })
})

/** The stable curve x³y + y³x on 18-decimal values, and its least y ≥ k found by bisection (independent of the pool's Newton steps). */
const curve = (x: bigint, y: bigint) => (((x * y) / 10n ** 18n) * ((x * x) / 10n ** 18n + (y * y) / 10n ** 18n)) / 10n ** 18n
function stableOut(amountIn: bigint, rIn: bigint, rOut: bigint, feeBps: bigint): bigint {
  const net = amountIn - (amountIn * feeBps) / 10_000n
  const k = curve(rIn, rOut)
  let [lo, hi] = [0n, rOut]
  while (lo < hi) {
    const mid = (lo + hi) / 2n
    if (curve(rIn + net, mid) >= k) hi = mid
    else lo = mid + 1n
  }
  return rOut - lo
}

describe('Aerodrome stable pools (x³y + y³x)', () => {
  it('prices and swaps on the stable curve; the wallet quotes the stable pool too and solves its exact output by steps', async () => {
    const d = devnet()
    const a = d.addresses
    const deployer = devnetWallet(d, 5)
    const me = deployer.account.address
    await d.fund(me, { vvv: parseEther('1000') })
    const factoryAbi = [
      ...aerodromePoolAbi,
      ...parseAbi(['function createPool(address tokenA, address tokenB, bool stable) returns (address)', 'function mint(address to) returns (uint256)']),
    ]
    const wethAbi = parseAbi(['function deposit() payable', 'function transfer(address to, uint256 amount) returns (bool)'])
    const wait = async (hash: `0x${string}`) => expect((await d.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })).status).toBe('success')
    await wait(await deployer.writeContract({ address: AERODROME_FACTORY_ADDRESS, abi: factoryAbi, functionName: 'createPool', args: [a.weth, a.vvv, true] }))
    const pool = await d.publicClient.readContract({
      address: AERODROME_FACTORY_ADDRESS,
      abi: aerodromePoolAbi,
      functionName: 'getPool',
      args: [a.weth, a.vvv, true],
    })
    await wait(await deployer.writeContract({ address: a.weth, abi: wethAbi, functionName: 'deposit', value: parseEther('1000') }))
    await wait(await deployer.writeContract({ address: a.weth, abi: wethAbi, functionName: 'transfer', args: [pool, parseEther('1000')] }))
    await wait(await deployer.writeContract({ address: a.vvv, abi: wethAbi, functionName: 'transfer', args: [pool, parseEther('1000')] }))
    await wait(await deployer.writeContract({ address: pool, abi: factoryAbi, functionName: 'mint', args: [me] }))
    expect(await d.publicClient.readContract({ address: AERODROME_FACTORY_ADDRESS, abi: aerodromePoolAbi, functionName: 'getFee', args: [pool, true] })).toBe(
      5n,
    )

    const amountIn = parseEther('10')
    const expected = stableOut(amountIn, parseEther('1000'), parseEther('1000'), 5n)
    expect(await d.publicClient.readContract({ address: pool, abi: aerodromePoolAbi, functionName: 'getAmountOut', args: [amountIn, a.weth] })).toBe(expected)
    expect(expected).toBeGreaterThan(parseEther('9.99')) // near 1:1 on a stable curve, unlike x·y = k (9.9)

    // The wallet quotes the stable pool beside the volatile one (which wins: the stable pool prices VVV near 1 ETH).
    const w = await testWallet(d, { eth: parseEther('1'), route: aerodromeRoute })
    const q = await quoteSwap(w, { amountIn: parseEther('0.01') })
    const stableQuote = q.comparison!.candidates.find((c) => c.stable)!
    expect(q.comparison!.candidates.map((c) => c.stable)).toEqual([false, true])
    expect(stableQuote.amountOut).toBe(stableOut(parseEther('0.01'), parseEther('1000'), parseEther('1000'), 5n))
    expect(q).toMatchObject({ route: 'aerodrome', stable: false })
    // A real swap through the router on the stable curve passes the pool's k check and pays the quote.
    const before = await d.publicClient.readContract({
      address: a.vvv,
      abi: parseAbi(['function balanceOf(address) view returns (uint256)']),
      functionName: 'balanceOf',
      args: [me],
    })
    await wait(
      await deployer.writeContract({
        address: AERODROME_ROUTER_ADDRESS,
        abi: aerodromeRouterAbi,
        functionName: 'swapExactETHForTokens',
        args: [expected, [{ from: a.weth, to: a.vvv, stable: true, factory: AERODROME_FACTORY_ADDRESS }], me, 2n ** 40n],
        value: amountIn,
      }),
    )
    const after = await d.publicClient.readContract({
      address: a.vvv,
      abi: parseAbi(['function balanceOf(address) view returns (uint256)']),
      functionName: 'balanceOf',
      args: [me],
    })
    expect(after - before).toBe(expected)
    // Exact output on the stable pool: no closed form, stepped exact-input quotes; the input found buys the target.
    const target = parseEther('3')
    const exact = await quoteVenues(w, { amountOut: target }, { venues: ['aerodrome'] })
    const stableIn = exact.candidates.find((c) => c.stable)!.amountIn
    expect(
      await d.publicClient.readContract({ address: pool, abi: aerodromePoolAbi, functionName: 'getAmountOut', args: [stableIn, a.weth] }),
    ).toBeGreaterThanOrEqual(target)
    expect(stableIn).toBeLessThan((parseEther('3') * 10_010n) / 10_000n) // ≈ 1:1 plus the 0.05 % fee
  })
})

describe('quoting every venue', () => {
  it('quotes Uniswap tiers and Aerodrome pools, skips absent pools, and picks the best net of gas', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const q = await quoteSwap(w, { amountIn: parseEther('0.01') })
    const c = q.comparison!
    expect(c.candidates.map((x) => [x.route, x.fee ?? x.stable])).toEqual([
      ['uniswap-v3', 3000],
      ['aerodrome', false],
    ])
    expect(c.baseFee).toBeGreaterThan(0n)
    for (const x of c.candidates) {
      expect(x.gas).toBe(SWAP_GAS[x.route])
      expect(x.gasCostWei).toBe(x.gas * c.baseFee)
      expect(x.net).toBe(x.amountOut - (x.gasCostWei * x.amountOut) / x.amountIn)
    }
    // Uniswap is 2 % cheaper on the devnet: it wins, and the quote is its pool's.
    expect(q).toMatchObject({ route: 'uniswap-v3', fee: 3000, amountOut: c.candidates[0]!.amountOut })
    expect(c.best).toBe(c.candidates[0])
  })

  it('swaps through each venue on anvil', async () => {
    for (const [route, router] of [
      [uniswapV3Route, devnet().addresses.swapRouter],
      [aerodromeRoute, AERODROME_ROUTER_ADDRESS],
    ] as const) {
      const w = await testWallet(devnet(), { eth: parseEther('1'), route })
      const q = await quoteSwap(w, { amountIn: parseEther('0.02') })
      const r = await swapEthForVvv(w, { amountIn: parseEther('0.02') })
      expect(r).toMatchObject({ status: 'confirmed', route: route.name, amountOut: q.amountOut })
      expect(r.steps[0]).toMatchObject({ to: router })
      expect((await getBalances(w)).vvv).toBe(q.amountOut)
      // The gas table the comparison uses is within 20 % of what the swap really used.
      const used = Number(r.gasUsed!)
      expect(used / Number(SWAP_GAS[route.name as 'uniswap-v3' | 'aerodrome'])).toBeGreaterThan(0.8)
      expect(used / Number(SWAP_GAS[route.name as 'uniswap-v3' | 'aerodrome'])).toBeLessThan(1.2)
    }
  })

  it('the better venue wins when the prices are swapped, and the swap follows it', async () => {
    const amountIn = parseEther('0.02')
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    expect((await quoteSwap(w, { amountIn })).route).toBe('uniswap-v3')
    await moveVenue('uniswap-v3', parseEther('200')) // VVV ≈ 44 % dearer on Uniswap
    const q = await quoteSwap(w, { amountIn })
    expect(q.route).toBe('aerodrome')
    const uni = q.comparison!.candidates.find((x) => x.route === 'uniswap-v3')!
    expect(q.amountOut).toBeGreaterThan(uni.amountOut)
    const r = await swapEthForVvv(w, { amountIn })
    expect(r).toMatchObject({ status: 'confirmed', route: 'aerodrome', amountOut: q.amountOut })
    expect(r.steps[0]).toMatchObject({ to: AERODROME_ROUTER_ADDRESS, functionName: 'swapExactETHForTokens' })
    await moveVenue('aerodrome', parseEther('3000')) // now Aerodrome is the dearer one
    expect((await quoteSwap(w, { amountIn })).route).toBe('uniswap-v3')
  })

  it('buys an exact amount on Aerodrome (ensureStake) with the least input plus the policy slippage', async () => {
    await moveVenue('uniswap-v3', parseEther('200'))
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const r = await ensureStake(w, { targetSvvv: parseEther('20') })
    expect(r.steps.map((s) => [s.name, s.to])).toEqual([
      ['swap', AERODROME_ROUTER_ADDRESS],
      ['approve', devnet().addresses.vvv],
      ['stake', devnet().addresses.staking],
    ])
    expect(r.swap!.amountOut).toBeGreaterThanOrEqual(parseEther('20'))
    expect((await getBalances(w)).svvv.total).toBe(parseEther('20'))
  })
})

describe('the spend policy on every venue', () => {
  it('refuses an Aerodrome swap over the per-swap cap before anything is signed', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), route: aerodromeRoute })
    const nonce = await devnet().publicClient.getTransactionCount({ address: w.address })
    await expect(swapEthForVvv(w, { amountIn: parseEther('0.06') })).rejects.toMatchObject({ name: 'PolicyViolationError', code: 'POLICY_MAX_PER_SWAP' })
    await expect(quoteSwap(w, { amountIn: parseEther('0.06') })).rejects.toMatchObject({ name: 'PolicyViolationError', code: 'POLICY_MAX_PER_SWAP' })
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(nonce)
  })

  it('never quotes a venue whose router is not allowlisted', async () => {
    await moveVenue('uniswap-v3', parseEther('200')) // Aerodrome would win
    const allowlist = addressBookContracts(devnet().addresses).filter((x) => x !== AERODROME_ROUTER_ADDRESS)
    const policy = createPolicy({ maxEthPerSwap: parseEther('0.05'), maxEthPerDay: parseEther('0.2'), maxSlippageBps: 50, allowlist })
    const w = await testWallet(devnet(), { eth: parseEther('1'), policy })
    const q = await quoteSwap(w, { amountIn: parseEther('0.01') })
    expect(q.route).toBe('uniswap-v3')
    expect(q.comparison!.candidates.map((x) => x.route)).toEqual(['uniswap-v3'])
    const forced = await testWallet(devnet(), { eth: parseEther('1'), policy, route: aerodromeRoute })
    await expect(quoteSwap(forced, { amountIn: parseEther('0.01') })).rejects.toMatchObject({ name: 'NoRouteError' })
  })

  it('holds the slippage bound on Aerodrome: a price moved past it makes the router revert InsufficientOutputAmount', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), route: aerodromeRoute })
    const q = await quoteSwap(w, { amountIn: parseEther('0.02') })
    const call = aerodromeRoute.buildSwap(w, { quote: q, amountOutMinimum: q.amountOutMinimum })
    expect(call.args).toEqual([q.amountOutMinimum, [aerodromeHop(w, false)], w.address, expect.any(BigInt)])
    await simulateCall(w, call) // passes at the quoted price
    await moveVenue('aerodrome', parseEther('100')) // ≈ 4 % dearer, beyond 50 bps
    await expect(simulateCall(w, call)).rejects.toMatchObject({ name: 'TransactionRevertedError', errorName: 'InsufficientOutputAmount' })
  })
})
