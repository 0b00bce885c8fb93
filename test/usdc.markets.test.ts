import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createTestClient, formatUnits, http, parseEther, parseUnits, type Address, type PublicClient, type TestClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { usdcAbi } from '../src/chain/abis/usdc.js'
import { AERODROME_ROUTER_ADDRESS, USDC_ADDRESS } from '../src/chain/addressBook.js'
import { devnetChain } from '../src/chain/devnetChain.js'
import { spawnAnvil } from '../devnet/src/devnet/anvil/spawnAnvil.js'
import { loadArtifacts } from '../devnet/src/devnet/compile/loadArtifacts.js'
import { deployAerodrome } from '../devnet/src/devnet/deploy/deployAerodrome.js'
import { DEVNET_DEPLOYER_PRIVATE_KEY, DEVNET_ETH_USD, defaultDeployParameters } from '../devnet/src/devnet/deploy/deployParameters.js'
import { deployUniswap } from '../devnet/src/devnet/deploy/deployUniswap.js'
import { deployVenice } from '../devnet/src/devnet/deploy/deployVenice.js'
import { createTxSender } from '../devnet/src/devnet/deploy/txSender.js'
import { startDevnet } from '../devnet/src/devnet/startDevnet.js'
import { writeSavedDevnet } from '../devnet/src/devnet/stateFile.js'
import { quoteSwap } from '../src/wallet/actions/quoteSwap.js'
import { swapEthForUsdc } from '../src/wallet/actions/swapEthForUsdc.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { applySlippageDown } from '../src/wallet/amounts.js'
import { aerodromeRoute } from '../src/wallet/routes/aerodromeRoute.js'
import { quoteVenues } from '../src/wallet/routes/quoteVenues.js'
import { uniswapV3Route } from '../src/wallet/routes/uniswapV3Route.js'
import { withRun } from '../src/wallet/send/withRun.js'
import { swapStep } from '../src/wallet/steps/swapStep.js'
import { simulateCall } from '../src/wallet/send/simulateCall.js'
import { gondolaInProcess } from './helpers/gondolaInProcess.js'
import { moveVenue } from './helpers/moveVenue.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const devnet = useDevnet()
const usdcOf = (address: Address) => devnet().publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName: 'balanceOf', args: [address] })

/** A dev account buys USDC with `eth` on one venue, moving that venue's WETH/USDC price. */
const moveUsdcVenue = (venue: 'uniswap-v3' | 'aerodrome', eth: bigint) => moveVenue(devnet(), venue, eth, { token: USDC_ADDRESS, fee: 500 })

describe('WETH/USDC markets', () => {
  it('both venues price ETH at the devnet price; Uniswap (0.05 %) beats Aerodrome (2 % dearer)', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const q = await quoteSwap(w, { amountIn: parseEther('0.01'), token: 'USDC' })
    const c = q.comparison!
    expect(c.token).toBe('USDC')
    expect(c.candidates.map((x) => [x.route, x.fee ?? x.stable])).toEqual([
      ['uniswap-v3', 500],
      ['aerodrome', false],
    ])
    expect(q).toMatchObject({ route: 'uniswap-v3', fee: 500, token: 'USDC' })
    // 0.01 ETH at $3 000 less the 0.05 % fee and a hair of price impact: 29.98 USDC.
    const expected = parseUnits(String(0.01 * DEVNET_ETH_USD), 6)
    expect(q.amountOut).toBeLessThan(expected)
    expect(q.amountOut).toBeGreaterThan((expected * 9_990n) / 10_000n)
    const aero = c.candidates[1]!
    expect(aero.amountOut).toBeGreaterThan((expected * 9_770n) / 10_000n) // 2 % dearer and 0.3 % fee
    expect(aero.amountOut).toBeLessThan((expected * 9_780n) / 10_000n)
    // The policy's slippage bound, as for VVV.
    expect(q.amountOutMinimum).toBe(applySlippageDown(q.amountOut, w.policy.maxSlippageBps))
  })

  it('exact output: the least ETH that buys 5 USDC on each venue (Uniswap QuoterV2, Aerodrome closed form), and the swap step buys at least that', async () => {
    const target = parseUnits('5', 6)
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const c = await quoteVenues(w, { amountOut: target }, { token: 'USDC' })
    expect(c.candidates.map((x) => [x.route, x.fee ?? x.stable])).toEqual([
      ['uniswap-v3', 500],
      ['aerodrome', false],
    ])
    for (const x of c.candidates) {
      expect(x.amountOut).toBe(target)
      // ≈ 5 / 3000 ETH plus the pool's fee (and Aerodrome's 2 %): between 0.00166 and 0.00172 ETH.
      expect(x.amountIn).toBeGreaterThan(parseEther('0.00166'))
      expect(x.amountIn).toBeLessThan(parseEther('0.00172'))
      const [out] = await quoteVenues(w, { amountIn: x.amountIn }, { token: 'USDC', venues: [x.route] }).then((q) => q.candidates)
      expect(out!.amountOut).toBeGreaterThanOrEqual(target)
    }
    const r = await withRun(w, { intent: 'test:exactOutUsdc' }, (run) => swapStep(w, run, { amountOut: target, token: 'USDC' }))
    expect(r.amountOut).toBeGreaterThanOrEqual(target)
    expect(await usdcOf(w.address)).toBe(r.amountOut)
  })

  it('swaps ETH → USDC on each venue; the USDC received is the quote, above the minimum', async () => {
    for (const [route, router] of [
      [uniswapV3Route, devnet().addresses.swapRouter],
      [aerodromeRoute, AERODROME_ROUTER_ADDRESS],
    ] as const) {
      const w = await testWallet(devnet(), { eth: parseEther('1'), route })
      const q = await quoteSwap(w, { amountIn: parseEther('0.02'), token: 'USDC' })
      const r = await swapEthForUsdc(w, { amountIn: parseEther('0.02') })
      expect(r).toMatchObject({ status: 'confirmed', token: 'USDC', route: route.name, amountOut: q.amountOut, amountOutMinimum: q.amountOutMinimum })
      expect(r.steps[0]).toMatchObject({ to: router })
      expect(await usdcOf(w.address)).toBe(r.amountOut)
      expect(r.amountOut).toBeGreaterThanOrEqual(r.amountOutMinimum!)
      expect(Number(formatUnits(r.amountOut, 6))).toBeGreaterThan(55) // 0.02 ETH ≈ $60
    }
  })

  it('VVV swaps are unchanged beside it (same venues, VVV received, no USDC)', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const r = await swapEthForVvv(w, { amountIn: parseEther('0.01') })
    expect(r).toMatchObject({ status: 'confirmed', token: 'VVV', route: 'uniswap-v3', fee: 3000 })
    expect(r.amountOut).toBeGreaterThan(parseEther('9'))
    expect(await usdcOf(w.address)).toBe(0n)
  })

  it('holds the slippage bound on both venues: a price moved past it makes the swap revert', async () => {
    for (const [route, venue, reason] of [
      [uniswapV3Route, 'uniswap-v3', { name: 'TransactionRevertedError', message: expect.stringContaining('Too little received') }],
      [aerodromeRoute, 'aerodrome', { name: 'TransactionRevertedError', errorName: 'InsufficientOutputAmount' }],
    ] as const) {
      const w = await testWallet(devnet(), { eth: parseEther('1'), route })
      const q = await quoteSwap(w, { amountIn: parseEther('0.02'), token: 'USDC' })
      const call = route.buildSwap(w, { quote: q, amountOutMinimum: q.amountOutMinimum })
      await simulateCall(w, call) // passes at the quoted price
      await moveUsdcVenue(venue, parseEther('100')) // USDC several % dearer, beyond 50 bps
      await expect(simulateCall(w, call)).rejects.toMatchObject(reason)
    }
  })

  it('the spend policy caps a USDC swap like a VVV one, before anything is signed', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const nonce = await devnet().publicClient.getTransactionCount({ address: w.address })
    await expect(swapEthForUsdc(w, { amountIn: parseEther('0.06') })).rejects.toMatchObject({ name: 'PolicyViolationError', code: 'POLICY_MAX_PER_SWAP' })
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(nonce)
  })
})

// In process (runCli): flags, output and exit class.
describe('gondola faucet --usdc / swap --to usdc', () => {
  async function cli() {
    const d = devnet()
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-usdc-cli-'))
    await publishDevnet(stateDir, d)
    const dev = d.accounts[5]!
    return { dev, env: { GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: dev.privateKey, GONDOLA_NETWORK: 'devnet', NO_COLOR: '1' } }
  }

  it('faucet --usdc mints USDC to the wallet; a bad amount or an unknown flag exits 2 naming it', async () => {
    const { dev, env } = await cli()
    const before = await usdcOf(dev.address)
    const r = await gondolaInProcess(['faucet', '--eth', '0', '--usdc', '12.5', '--json'], env)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ address: dev.address, eth: '0', vvv: '0', usdc: '12.5' })
    expect((await usdcOf(dev.address)) - before).toBe(parseUnits('12.5', 6))
    for (const [args, flag] of [
      [['--usdc', 'ten'], '--usdc'],
      [['--usdc', '1.0000001'], '--usdc'],
      [['--usdc', '-3'], '--usdc'],
      [['--usdcc', '3'], '--usdcc'],
    ] as const) {
      const bad = await gondolaInProcess(['faucet', ...args], env)
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain(flag)
      expect(bad.stdout).toBe('')
    }
    expect((await usdcOf(dev.address)) - before).toBe(parseUnits('12.5', 6))
  })

  it('swap --to usdc buys USDC (text and --json in USDC units); --to with another token exits 2', async () => {
    const { dev, env } = await cli()
    await devnet().fund(dev.address, { eth: parseEther('1') })
    const dry = await gondolaInProcess(['swap', '--eth', '0.01', '--to', 'usdc', '--dry-run'], env)
    expect(dry.stdout).toMatch(/^\[dry run\] Would swap 0\.01 ETH for 29\.9\d+ USDC on uniswap-v3 \(fee tier 500\) \(min 29\.8\d+\)/)
    expect(dry.stdout).toMatch(/\* uniswap-v3 fee 500 +0\.01 ETH → 29\.9\d+ USDC, gas 150000 .*, net 29\.9\d+ USDC\n/)
    const r = await gondolaInProcess(['swap', '--eth', '0.01', '--to', 'USDC', '--json'], env)
    const json = JSON.parse(r.stdout)
    expect(json).toMatchObject({ status: 'confirmed', token: 'USDC', route: 'uniswap-v3', amountIn: '0.01' })
    expect(Number(json.amountOut)).toBeGreaterThan(29.9)
    expect(Number(json.amountOut)).toBeLessThan(30)
    expect(parseUnits(json.amountOut, 6)).toBe(await usdcOf(dev.address))
    const bad = await gondolaInProcess(['swap', '--eth', '0.01', '--to', 'eur'], env)
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--to must be one of VVV, USDC, got "eur"')])
  })
})

describe('a devnet state saved before USDC', () => {
  it('gets USDC and its pools when loaded, and the faucet and swaps work on it', async () => {
    const { artifacts } = await loadArtifacts()
    const anvil = await spawnAnvil()
    const stateFile = join(await mkdtemp(join(tmpdir(), 'gondola-old-state-')), 'state.json')
    try {
      // The deployment as it was before USDC: Venice, Uniswap with its VVV pool, Aerodrome with its VVV pool.
      const chain = devnetChain(anvil.rpcUrl)
      const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), pollingInterval: 20 }) as PublicClient
      const testClient = createTestClient({ chain, transport: http(anvil.rpcUrl), mode: 'anvil' }) as TestClient
      const deployer = privateKeyToAccount(DEVNET_DEPLOYER_PRIVATE_KEY)
      await testClient.setBalance({ address: deployer.address, value: parseEther('100000') })
      const tx = await createTxSender(publicClient, chain, deployer)
      const params = defaultDeployParameters
      const venice = await deployVenice(tx, artifacts, params)
      const uniswap = await deployUniswap(tx, testClient, artifacts)
      const aero = await deployAerodrome(tx, publicClient, testClient, artifacts, {
        ...venice,
        ...uniswap,
        vvvAmount: params.aerodromeVvv,
        wethAmount: params.aerodromeWeth,
      })
      await tx.settle()
      expect(await publicClient.getCode({ address: USDC_ADDRESS })).toBeUndefined()
      const addresses = {
        network: 'devnet' as const,
        chainId: chain.id,
        ...venice,
        ...uniswap,
        aerodromeRouter: aero.aerodromeRouter,
        aerodromeFactory: aero.aerodromeFactory,
      }
      await writeSavedDevnet(stateFile, { addresses, state: await testClient.dumpState() })
    } finally {
      await anvil.stop()
    }
    const upgraded = await startDevnet({ stateFile })
    try {
      expect(upgraded.source).toBe('stateFile')
      expect(upgraded.addresses.usdc).toBe(USDC_ADDRESS)
      const w = await testWallet(upgraded, { eth: parseEther('1') })
      await upgraded.fund(w.address, { usdc: parseUnits('3', 6) })
      const r = await swapEthForUsdc(w, { amountIn: parseEther('0.01') })
      expect(r.status).toBe('confirmed')
      const balance = await upgraded.publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName: 'balanceOf', args: [w.address] })
      expect(balance).toBe(parseUnits('3', 6) + r.amountOut)
    } finally {
      await upgraded.stop()
    }
  })
})
