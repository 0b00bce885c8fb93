import type { Address } from 'viem'
import { stakingAbi } from '../../src/chain/abis/staking.js'
import { vvvAbi } from '../../src/chain/abis/vvv.js'
import type { Devnet } from '../../src/devnet/startDevnet.js'
import { devnetWallet } from './useDevnet.js'

/**
 * Stakes `amount` VVV for dev account `index` with plain viem calls (faucet VVV, approve, stake).
 * For tests that need "a wallet with sVVV" without exercising the wallet module.
 *
 * @example
 * ```ts
 * const me = await stakeWithViem(devnet(), 3, parseEther('100'))
 * ```
 */
export async function stakeWithViem(devnet: Devnet, index: number, amount: bigint): Promise<Address> {
  const wallet = devnetWallet(devnet, index)
  const me = wallet.account.address
  await devnet.fund(me, { vvv: amount })
  const { staking, vvv } = devnet.addresses
  const wait = (hash: `0x${string}`) => devnet.publicClient.waitForTransactionReceipt({ hash })
  await wait(await wallet.writeContract({ address: vvv, abi: vvvAbi, functionName: 'approve', args: [staking, amount] }))
  await wait(await wallet.writeContract({ address: staking, abi: stakingAbi, functionName: 'stake', args: [me, amount] }))
  return me
}
