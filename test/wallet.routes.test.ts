import { decodeFunctionData, encodeFunctionData, keccak256, parseEther, toHex, type Abi } from 'viem'
import { describe, expect, it } from 'vitest'
import { addressBookContracts, baseAddressBook } from '../src/chain/addressBook.js'
import type { Wallet } from '../src/wallet/createWallet.js'
import { aerodromeRoute, AERODROME_DEADLINE_SECONDS } from '../src/wallet/routes/aerodromeRoute.js'
import { aerodromeRouterAbi } from '../src/wallet/routes/aerodromeRouterAbi.js'
import { solveExactOut, solveInput } from '../src/wallet/routes/solveExactOut.js'

const me = '0x1111111111111111111111111111111111111111' as const
const now = new Date('2026-08-01T00:00:00Z')

/** A wallet on Base whose only chain access is a scripted multicall (the devnet tests are in wallet.venues.test.ts). */
function baseWallet(multicall: (args: { contracts: { args: readonly unknown[] }[] }) => unknown[]): Wallet {
  return {
    address: me,
    addresses: baseAddressBook,
    now: () => now,
    policy: { allowlist: addressBookContracts(baseAddressBook) },
    publicClient: { multicall: async (a: never) => multicall(a) },
  } as unknown as Wallet
}

describe('Aerodrome route (Base mainnet)', () => {
  it('has the live router selectors', () => {
    const selector = (sig: string) => keccak256(toHex(sig)).slice(0, 10)
    const enc = (fn: string, args: unknown[]) => encodeFunctionData({ abi: aerodromeRouterAbi as Abi, functionName: fn, args }).slice(0, 10)
    const route = [{ from: baseAddressBook.weth, to: baseAddressBook.vvv, stable: false, factory: baseAddressBook.aerodromeFactory! }]
    expect(enc('swapExactETHForTokens', [1n, route, me, 2n])).toBe(selector('swapExactETHForTokens(uint256,(address,address,bool,address)[],address,uint256)'))
    expect(enc('getAmountsOut', [1n, route])).toBe(selector('getAmountsOut(uint256,(address,address,bool,address)[])'))
  })

  it('quotes volatile and stable pools and the base fee in one multicall and picks the better', async () => {
    let calls = 0
    const wallet = baseWallet(({ contracts }) => {
      calls++
      expect(contracts.map((c) => (c as unknown as { functionName: string }).functionName)).toEqual(['getAmountsOut', 'getAmountsOut', 'getBasefee'])
      return [
        { status: 'success', result: [parseEther('0.01'), parseEther('9')] },
        { status: 'failure', error: new Error('no pool') },
        { status: 'success', result: 10_000_000n },
      ]
    })
    const q = await aerodromeRoute.quoteExactIn(wallet, parseEther('0.01'))
    expect(calls).toBe(1)
    expect(q).toMatchObject({ route: 'aerodrome', amountIn: parseEther('0.01'), amountOut: parseEther('9'), stable: false })
    expect(q.comparison!.baseFee).toBe(10_000_000n)
  })

  it('builds swapExactETHForTokens: ETH as value, WETH→VVV hop on the default factory, recipient self, policy minimum, 20-minute deadline', () => {
    const wallet = baseWallet(() => [])
    const call = aerodromeRoute.buildSwap(wallet, {
      quote: { route: 'aerodrome', amountIn: parseEther('0.01'), amountOut: parseEther('9'), stable: false },
      amountOutMinimum: parseEther('8.955'),
    })
    expect(call.to).toBe(baseAddressBook.aerodromeRouter)
    expect(call.value).toBe(parseEther('0.01'))
    const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never)
    const decoded = decodeFunctionData({ abi: aerodromeRouterAbi, data })
    expect(decoded.functionName).toBe('swapExactETHForTokens')
    expect(decoded.args).toEqual([
      parseEther('8.955'),
      [{ from: baseAddressBook.weth, to: baseAddressBook.vvv, stable: false, factory: baseAddressBook.aerodromeFactory }],
      me,
      BigInt(now.getTime() / 1000 + AERODROME_DEADLINE_SECONDS),
    ])
  })

  it('refuses to run where Aerodrome is not in the address book', async () => {
    const wallet = { ...baseWallet(() => []), addresses: { ...baseAddressBook, aerodromeRouter: undefined, network: 'devnet' } } as unknown as Wallet
    await expect(aerodromeRoute.quoteExactIn(wallet, 1n)).rejects.toMatchObject({ name: 'NoRouteError' })
  })
})

describe('exact-output solving', () => {
  // Constant-product pool with a 0.3 % fee: 1000 ETH / 1 000 000 VVV.
  const x = parseEther('1000')
  const y = parseEther('1000000')
  const out = async (dx: bigint) => (dx * 997n * y) / (x * 1000n + dx * 997n)

  it('finds an input that covers the target within a basis point', async () => {
    const target = parseEther('1234.5')
    const r = (await solveInput(out, target, parseEther('0.001')))!
    expect(await out(r.input)).toBeGreaterThanOrEqual(target)
    expect(r.output - target).toBeLessThanOrEqual(target / 10_000n + 1n)
  })

  it('wraps quotes and reports a pool too shallow for the target', async () => {
    const quote = async (amountIn: bigint) => ({ route: 'aerodrome' as const, amountIn, amountOut: await out(amountIn) })
    expect((await solveExactOut(quote, parseEther('10'), parseEther('0.001'))).amountOut).toBeGreaterThanOrEqual(parseEther('10'))
    await expect(solveExactOut(async (amountIn) => ({ route: 'aerodrome', amountIn, amountOut: 0n }), 1n, 1n)).rejects.toMatchObject({ code: 'NO_ROUTE_DEPTH' })
  })
})
