/**
 * Wallet figures (issue 3): HTTP requests per balance snapshot, counted by a proxy in front of
 * anvil; and a fresh funded wallet → target stake with `ensureStake`, in transactions and gas,
 * against the hand-minimal sequence (swap, approve, stake written by hand) run in the same devnet.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, erc20Abi, http, parseEther, type Chain, type Hex, type PublicClient, type Transport } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { diemAbi, stakingAbi, swapRouter02Abi, vvvAbi } from '../../src/chain/abis/index.js'
import { startCountingProxy } from '../../src/chain/countingProxy.js'
import { devnetChain } from '../../src/chain/devnetChain.js'
import { startDevnet, type Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { ensureStake } from '../../src/wallet/actions/ensureStake.js'
import { getBalances } from '../../src/wallet/actions/getBalances.js'
import { topUp } from '../../src/wallet/actions/topUp.js'
import { createWallet } from '../../src/wallet/createWallet.js'
import type { BenchRow } from './types.js'

const TARGET = parseEther('20')

async function freshWallet(devnet: Devnet, rpcUrl = devnet.rpcUrl) {
  const key = generatePrivateKey()
  const account = privateKeyToAccount(key)
  await devnet.fund(account.address, { eth: parseEther('1') })
  const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient<Transport, Chain | undefined>
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-bench-'))
  const wallet = await createWallet({ account, publicClient, addresses: devnet.addresses, stateDir, dataDir: join(stateDir, 'data'), pollingIntervalMs: 20 })
  return { key, wallet }
}

/**
 * Issue 18 item 4: the real gas cost of a top-up without DIEM (swap, approve, stake) measured on a rich wallet,
 * then the same top-up from a wallet holding only the value + 1.2× that cost (gas sized to the balance).
 */
async function measureThinWallet(devnet: Devnet): Promise<{ ok: number; costWei: bigint; error?: string | undefined }> {
  const eth = parseEther('0.01')
  const { wallet: rich } = await freshWallet(devnet)
  const reference = await topUp(rich, { eth })
  let cost = 0n
  for (const hash of reference.hashes) {
    const r = await devnet.publicClient.getTransactionReceipt({ hash })
    cost += r.gasUsed * r.effectiveGasPrice
  }
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.fund(account.address, { eth: eth + (cost * 12n) / 10n })
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-bench-'))
  const thin = await createWallet({
    account,
    publicClient: devnet.publicClient,
    addresses: devnet.addresses,
    stateDir,
    dataDir: join(stateDir, 'data'),
    pollingIntervalMs: 20,
  })
  try {
    await topUp(thin, { eth })
    return { ok: 1, costWei: cost }
  } catch (err) {
    return { ok: 0, costWei: cost, error: err instanceof Error ? err.name : String(err) }
  }
}

/** The hand-minimal sequence from the same key: exactInputSingle for `amountIn` (min out 0), approve exactly the target (unless pre-approved), stake(self, target). */
async function byHand(devnet: Devnet, key: Hex, amountIn: bigint, preApproved: boolean): Promise<{ txs: number; gas: bigint }> {
  const account = privateKeyToAccount(key)
  const client = createWalletClient({ account, chain: devnetChain(devnet.rpcUrl), transport: http(devnet.rpcUrl) })
  const a = devnet.addresses
  const hashes: Hex[] = []
  const send = async (hash: Hex) => {
    hashes.push(hash)
    await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  }
  await send(
    await client.writeContract({
      address: a.swapRouter,
      abi: swapRouter02Abi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn: a.weth, tokenOut: a.vvv, fee: 3000, recipient: account.address, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }],
      value: amountIn,
    }),
  )
  if (!preApproved) await send(await client.writeContract({ address: a.vvv, abi: erc20Abi, functionName: 'approve', args: [a.staking, TARGET] }))
  await send(await client.writeContract({ address: a.staking, abi: stakingAbi, functionName: 'stake', args: [account.address, TARGET] }))
  let gas = 0n
  for (const hash of hashes) gas += (await devnet.publicClient.getTransactionReceipt({ hash })).gasUsed
  return { txs: hashes.length, gas }
}

/** anvil's clock (`evm_setTime`): unlike setNextBlockTimestamp it may go back to a reverted snapshot's time. */
async function setTime(devnet: Devnet, timestamp: bigint): Promise<void> {
  await devnet.testClient.request({ method: 'evm_setTime', params: [Number(timestamp)] } as never)
}

/**
 * ensureStake and the hand sequence run from the SAME chain snapshot, with the same key and the
 * same block timestamps (1 s apart), so the gas figures differ only by what the code sends.
 */
async function measureEnsureStake(devnet: Devnet, preApproved: boolean) {
  const { key, wallet } = await freshWallet(devnet)
  if (preApproved) {
    const client = createWalletClient({ account: privateKeyToAccount(key), chain: devnetChain(devnet.rpcUrl), transport: http(devnet.rpcUrl) })
    await devnet.publicClient.waitForTransactionReceipt({
      hash: await client.writeContract({ address: devnet.addresses.vvv, abi: vvvAbi, functionName: 'approve', args: [devnet.addresses.staking, TARGET] }),
    })
  }
  const t0 = (await devnet.publicClient.getBlock()).timestamp + 100n
  await devnet.testClient.setBlockTimestampInterval({ interval: 1 })
  try {
    const snapshot = await devnet.snapshot()
    await setTime(devnet, t0)
    const r = await ensureStake(wallet, { targetSvvv: TARGET })
    const again = await ensureStake(wallet, { targetSvvv: TARGET })
    await devnet.revert(snapshot)
    await setTime(devnet, t0)
    const hand = await byHand(devnet, key, r.swap!.amountIn, preApproved)
    return { txs: r.hashes.length, gas: r.gasUsed, hand, secondCallTxs: again.hashes.length }
  } finally {
    await devnet.testClient.removeBlockTimestampInterval()
  }
}

/** @example `npm run bench -- wallet` */
export async function bench(): Promise<BenchRow[]> {
  const devnet = await startDevnet()
  const proxy = await startCountingProxy(devnet.rpcUrl)
  try {
    const { wallet } = await freshWallet(devnet, proxy.url)
    const calls = 5
    proxy.reset()
    for (let i = 0; i < calls; i++) await getBalances(wallet)
    const perSnapshot = proxy.requests / calls
    const perSnapshotCalls = proxy.methods.length / calls
    // Baseline: the same ten reads as a viem user would batch them, with the http transport's own
    // JSON-RPC batching (`batch: true`): concurrent reads leave as one HTTP request holding ten calls.
    const batched = createPublicClient({ transport: http(proxy.url, { batch: true }) })
    const a = devnet.addresses
    const me = wallet.address
    proxy.reset()
    for (let i = 0; i < calls; i++) {
      await Promise.all([
        batched.getBalance({ address: me }),
        batched.getBlock(),
        batched.readContract({ address: a.vvv, abi: vvvAbi, functionName: 'balanceOf', args: [me] }),
        batched.readContract({ address: a.vvv, abi: vvvAbi, functionName: 'allowance', args: [me, a.staking] }),
        ...(['balanceOf', 'balanceOfUnlocked', 'pendingRewards', 'stakes'] as const).map((fn) =>
          batched.readContract({ address: a.staking, abi: stakingAbi, functionName: fn, args: [me] }),
        ),
        batched.readContract({ address: a.diem, abi: diemAbi, functionName: 'balanceOf', args: [me] }),
        batched.readContract({ address: a.diem, abi: diemAbi, functionName: 'stakedInfos', args: [me] }),
      ])
    }
    const viemBatched = proxy.requests / calls
    const viemBatchedCalls = proxy.methods.length / calls

    const fresh = await measureEnsureStake(devnet, false)
    const approved = await measureEnsureStake(devnet, true)
    const thin = await measureThinWallet(devnet)
    return [
      {
        issue: 3,
        metric: 'balance snapshot: HTTP requests per getBalances vs viem http batch: true (counting proxy)',
        value: perSnapshot,
        unit: 'req',
        baseline: viemBatched,
        goal: '1 req',
      },
      {
        issue: 3,
        metric: 'balance snapshot: JSON-RPC calls per getBalances vs viem http batch: true',
        value: perSnapshotCalls,
        unit: 'calls',
        baseline: viemBatchedCalls,
      },
      {
        issue: 3,
        metric: 'fresh wallet → 20 sVVV: transactions (ensureStake vs by hand)',
        value: fresh.txs,
        unit: 'tx',
        baseline: fresh.hand.txs,
        goal: '≤ 3 tx',
      },
      { issue: 3, metric: 'fresh wallet → 20 sVVV: gas used', value: Number(fresh.gas), unit: 'gas', baseline: Number(fresh.hand.gas), goal: '≤ 1.05× hand' },
      {
        issue: 3,
        metric: 'allowance already set → 20 sVVV: transactions (approve skipped)',
        value: approved.txs,
        unit: 'tx',
        baseline: approved.hand.txs,
        goal: '2 tx',
      },
      {
        issue: 3,
        metric: 'allowance already set → 20 sVVV: gas used',
        value: Number(approved.gas),
        unit: 'gas',
        baseline: Number(approved.hand.gas),
        goal: '≤ 1.05× hand',
      },
      { issue: 3, metric: 'ensureStake called again at target: transactions', value: fresh.secondCallTxs + approved.secondCallTxs, unit: 'tx', goal: '0 tx' },
      {
        issue: 18,
        metric: `thin wallet (0.01 ETH + 1.2× the real gas of swap+approve+stake) tops up${thin.error ? ` — failed: ${thin.error}` : ''}`,
        value: thin.ok,
        unit: 'ok',
        goal: '1 (succeeds)',
      },
    ]
  } finally {
    await proxy.close()
    await devnet.stop()
  }
}
