import { createWalletClient, http, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devnetChain, stakingAbi, vvvAbi } from 'gondola/chain'
import type { Devnet } from './startDevnet.js'

/**
 * Makes dev account `index` a staker: VVV from the faucet, `approve`, `stake(self, amount)` — plain viem calls,
 * no wallet module. Devnet only (anvil's well-known dev keys). The demo uses it for a "whale" so later stakers
 * hold a realistic share of the pool; tests use it for "a wallet with sVVV".
 *
 * @example
 * ```ts
 * const whale = await devStake(devnet, 9, parseEther('1000000'))
 * ```
 */
export async function devStake(devnet: Devnet, index: number, amount: bigint): Promise<Address> {
  const dev = devnet.accounts[index]
  if (!dev) throw new RangeError(`devStake(): no dev account #${index}`)
  const client = createWalletClient({ account: privateKeyToAccount(dev.privateKey), chain: devnetChain(devnet.rpcUrl), transport: http(devnet.rpcUrl) })
  await devnet.fund(dev.address, { vvv: amount })
  const { vvv, staking } = devnet.addresses
  const wait = (hash: `0x${string}`) => devnet.publicClient.waitForTransactionReceipt({ hash })
  // Fixed gas limits: an estimate from one block can under-count the reward-accrual writes of a later one.
  await wait(await client.writeContract({ address: vvv, abi: vvvAbi, functionName: 'approve', args: [staking, amount], gas: 100_000n }))
  await wait(await client.writeContract({ address: staking, abi: stakingAbi, functionName: 'stake', args: [dev.address, amount], gas: 400_000n }))
  return dev.address
}
