/**
 * Issue #18.5: chain requests of `provision` on a fresh wallet (swap on the best venue, approve, stake,
 * an ADMIN and an INFERENCE key), counted by an HTTP proxy in front of anvil, against a hand-minimal
 * sequence run in the same devnet through the same proxy: one batched round of reads (nonce, base fee,
 * exact-output quote, gas) per transaction, then send and one receipt poll — nothing else.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, encodeFunctionData, http, parseAbi, parseEther, type Address, type Chain, type Hex, type PublicClient, type Transport } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { stakingAbi, swapRouter02Abi, vvvAbi } from '../../src/chain/abis/index.js'
import { startCountingProxy, type CountingProxy } from '../../src/chain/countingProxy.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { startLocalWorld } from '../../devnet/src/devnet/startLocalWorld.js'
import { KeyStore } from '../../src/keys/KeyStore.js'
import { provision } from '../../src/keys/provision.js'
import { createWallet } from '../../src/wallet/createWallet.js'
import type { BenchRow } from './types.js'

const TARGET = parseEther('20')

const quoterExactOut = parseAbi([
  'struct P { address tokenIn; address tokenOut; uint256 amount; uint24 fee; uint160 sqrtPriceLimitX96; }',
  'function quoteExactOutputSingle(P params) returns (uint256 amountIn, uint160, uint32, uint256)',
])

function batchingClient(url: string): PublicClient<Transport, Chain | undefined> {
  return createPublicClient({ transport: http(url, { batch: true }) }) as PublicClient<Transport, Chain | undefined>
}

async function fundedAccount(devnet: Devnet): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.fund(account.address, { eth: parseEther('1') })
  return account
}

/** The hand-written minimum: swap (exact-output quote + 0.5 %), approve, stake. */
async function byHand(devnet: Devnet, proxy: CountingProxy, account: PrivateKeyAccount): Promise<number> {
  const client = batchingClient(proxy.url)
  const a = devnet.addresses
  proxy.reset()
  const [nonce, block, quoted] = await Promise.all([
    client.getTransactionCount({ address: account.address }),
    client.getBlock(),
    client.call({
      to: a.quoter,
      data: encodeFunctionData({
        abi: quoterExactOut,
        functionName: 'quoteExactOutputSingle',
        args: [{ tokenIn: a.weth, tokenOut: a.vvv, amount: TARGET, fee: 3000, sqrtPriceLimitX96: 0n }],
      }),
    }),
  ])
  const amountIn = (BigInt(quoted.data!.slice(0, 66)) * 10_050n) / 10_000n
  const maxFeePerGas = block.baseFeePerGas! * 2n + 1_000_000n
  const send = async (i: number, to: Address, data: Hex, value = 0n) => {
    const gas = await client.estimateGas({ account: account.address, to, data, value })
    const raw = await account.signTransaction({
      type: 'eip1559',
      chainId: devnet.chainId,
      nonce: nonce + i,
      to,
      data,
      value,
      gas: gas * 2n,
      maxFeePerGas,
      maxPriorityFeePerGas: 1_000_000n,
    })
    const hash = await client.sendRawTransaction({ serializedTransaction: raw })
    const receipt = await client.getTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`hand-minimal step ${i} reverted`)
  }
  await send(
    0,
    a.swapRouter,
    encodeFunctionData({
      abi: swapRouter02Abi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn: a.weth, tokenOut: a.vvv, fee: 3000, recipient: account.address, amountIn, amountOutMinimum: TARGET, sqrtPriceLimitX96: 0n }],
    }),
    amountIn,
  )
  await send(1, a.vvv, encodeFunctionData({ abi: vvvAbi, functionName: 'approve', args: [a.staking, TARGET] }))
  await send(2, a.staking, encodeFunctionData({ abi: stakingAbi, functionName: 'stake', args: [account.address, TARGET] }))
  return proxy.requests
}

/** @example `npm run bench -- chainRequests` */
export async function bench(): Promise<BenchRow[]> {
  const world = await startLocalWorld({ emulator: { chainCacheMs: 0 } })
  const proxy = await startCountingProxy(world.devnet.rpcUrl)
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-bench-chainreq-'))
  try {
    const account = await fundedAccount(world.devnet)
    const wallet = await createWallet({ account, publicClient: batchingClient(proxy.url), addresses: world.devnet.addresses, stateDir, pollingIntervalMs: 20 })
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
    proxy.reset()
    const result = await provision({ wallet, baseURL: world.veniceBaseUrl, store, agents: ['agent'], stakeSvvv: TARGET, diemPerAgent: 1 })
    if (result.stake.hashes.length !== 3) throw new Error(`provision sent ${result.stake.hashes.length} transactions, expected 3`)
    const gondola = proxy.requests
    const methods = proxy.methods.length
    const hand = await byHand(world.devnet, proxy, await fundedAccount(world.devnet))
    return [
      {
        issue: 18,
        metric: 'provision, fresh wallet: chain HTTP requests (batching client) vs hand-minimal swap + approve + stake',
        value: gondola,
        unit: 'req',
        baseline: hand,
        goal: '≤ 12 (was 31)',
      },
      { issue: 18, metric: 'provision, fresh wallet: JSON-RPC calls inside those requests', value: methods, unit: 'calls' },
    ]
  } finally {
    await proxy.close()
    await world.stop()
    await rm(stateDir, { recursive: true, force: true })
  }
}
