import { http, createPublicClient, createWalletClient, parseEther, maxUint256, type Chain, type PublicClient, type Transport } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCountingProxy, type CountingProxy } from '../src/chain/countingProxy.js'
import { vvvAbi } from '../src/chain/abis/index.js'
import { ensureStake } from '../src/wallet/actions/ensureStake.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { quoteSwap } from '../src/wallet/actions/quoteSwap.js'
import { stakeVvv } from '../src/wallet/actions/stakeVvv.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { createWallet } from '../src/wallet/createWallet.js'
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts'
import { devnetChain } from '../src/chain/devnetChain.js'
import { useDevnet } from './helpers/useDevnet.js'
import { testWallet } from './helpers/testWallet.js'

const devnet = useDevnet()

describe('getBalances', () => {
  let proxy: CountingProxy
  beforeAll(async () => {
    proxy = await startCountingProxy(devnet().rpcUrl)
  })
  afterAll(() => proxy.close())

  it('reads every balance in exactly one HTTP request (counted by a proxy)', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('2'), vvv: parseEther('50'), rpcUrl: proxy.url })
    await stakeVvv(w, { amount: parseEther('20') })
    proxy.reset()
    const b = await getBalances(w)
    expect(proxy.requests).toBe(1)
    expect(proxy.methods).toEqual(['eth_call'])
    expect(b.vvv).toBe(parseEther('30'))
    expect(b.svvv).toEqual({ total: parseEther('20'), unlocked: parseEther('20'), locked: 0n })
    expect(b.eth).toBeLessThan(parseEther('2'))
    expect(b.eth).toBeGreaterThan(parseEther('1.99'))
    expect(b.vvvAllowanceToStaking).toBe(0n)
    expect(b.unstake).toEqual({ amount: 0n, end: 0n, ready: false })
    expect(b.diem).toEqual({ liquid: 0n, staked: 0n, coolingDown: 0n, end: 0n, ready: false })
  })
})

describe('swap', () => {
  it('quotes the best fee tier and applies the policy slippage', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const q = await quoteSwap(w, { amountIn: parseEther('0.01') })
    expect(q.fee).toBe(3000)
    expect(q.amountOut).toBeGreaterThan(parseEther('9.8')) // 1 VVV = 0.001 ETH, 0.3 % fee
    expect(q.amountOutMinimum).toBe((q.amountOut * 9950n) / 10000n)
  })

  it('swaps ETH for VVV and measures the output from the receipt', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const q = await quoteSwap(w, { amountIn: parseEther('0.01') })
    const r = await swapEthForVvv(w, { amountIn: parseEther('0.01') })
    expect(r.status).toBe('confirmed')
    expect(r.amountOut).toBe(q.amountOut)
    const b = await getBalances(w)
    expect(b.vvv).toBe(r.amountOut)
    expect(b.eth).toBeLessThan(parseEther('0.99'))
  })
})

describe('stakeVvv', () => {
  it('approves exactly the amount only when short, never maxUint256', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), vvv: parseEther('30') })
    const first = await stakeVvv(w, { amount: parseEther('10') })
    expect(first.approved).toBe(true)
    expect(first.hashes).toHaveLength(2)
    const approveTx = await devnet().publicClient.getTransaction({ hash: first.hashes[0]! })
    expect(approveTx.input).not.toContain(maxUint256.toString(16))
    // Pre-set allowance: the approve is skipped.
    const walletClientAllowance = await w.publicClient.readContract({
      address: w.addresses.vvv,
      abi: vvvAbi,
      functionName: 'allowance',
      args: [w.address, w.addresses.staking],
    })
    expect(walletClientAllowance).toBe(0n)
    const wc = createWalletClient({ account: privateKeyToAccount(w.privateKey), transport: http(devnet().rpcUrl), chain: devnetChain(devnet().rpcUrl) })
    const h = await wc.writeContract({ address: w.addresses.vvv, abi: vvvAbi, functionName: 'approve', args: [w.addresses.staking, parseEther('5')] })
    await devnet().publicClient.waitForTransactionReceipt({ hash: h })
    const second = await stakeVvv(w, { amount: parseEther('5') })
    expect(second.approved).toBe(false)
    expect(second.hashes).toHaveLength(1)
    expect((await getBalances(w)).svvv.total).toBe(parseEther('15'))
  })
})

describe('ensureStake', () => {
  it('swaps only the VVV shortfall, approves, stakes; a second call sends nothing', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), vvv: parseEther('4') })
    const target = parseEther('10')
    const first = await ensureStake(w, { targetSvvv: target })
    expect(first.status).toBe('confirmed')
    expect(first.hashes).toHaveLength(3)
    expect(first.swap!.amountOut).toBeGreaterThanOrEqual(parseEther('6'))
    expect(first.swap!.amountOut).toBeLessThan(parseEther('6.04')) // exact-output quote + 50 bps pad
    const b = await getBalances(w)
    expect(b.svvv.total).toBe(target)
    const nonce = await devnet().publicClient.getTransactionCount({ address: w.address })
    const second = await ensureStake(w, { targetSvvv: target })
    expect(second).toMatchObject({ status: 'already', hashes: [], missing: 0n })
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(nonce)
  })

  it('does not swap when VVV already covers the target', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), vvv: parseEther('12') })
    const r = await ensureStake(w, { targetSvvv: parseEther('10') })
    expect(r.swap).toBeUndefined()
    expect(r.hashes).toHaveLength(2)
  })
})

describe('createWallet', () => {
  it('rejects an RPC endpoint on another chain than the address book', async () => {
    const publicClient = createPublicClient({ transport: http(devnet().rpcUrl) }) as PublicClient<Transport, Chain | undefined>
    await expect(
      createWallet({
        account: privateKeyToAccount(generatePrivateKey()),
        publicClient,
        addresses: { ...devnet().addresses, chainId: 8453 },
        stateDir: '/tmp/none',
      }),
    ).rejects.toMatchObject({ name: 'ChainMismatchError', shortMessage: expect.stringContaining('chain 31337') })
  })
})
