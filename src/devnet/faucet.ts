import { erc20Abi, type Address, type Chain, type PublicClient, type TestClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEVNET_DEPLOYER_PRIVATE_KEY } from './deploy/deployParameters.js'
import { createTxSender } from './deploy/txSender.js'
import { FaucetError } from './errors.js'

/**
 * Builds the devnet faucet: ETH is added with `anvil_setBalance`; VVV is transferred from the
 * deployer's reserve (≈99 M VVV). Calls are serialized so the deployer's nonces never clash.
 *
 * @example
 * ```ts
 * const fund = createFaucet({ publicClient, testClient, chain, vvv })
 * await fund(me, { eth: parseEther('1'), vvv: parseEther('500') })
 * ```
 */
export function createFaucet(p: {
  publicClient: PublicClient
  testClient: TestClient
  chain: Chain
  vvv: Address
}): (address: Address, amounts: { eth?: bigint; vvv?: bigint }) => Promise<void> {
  const deployer = privateKeyToAccount(DEVNET_DEPLOYER_PRIVATE_KEY)
  let queue: Promise<unknown> = Promise.resolve()
  const fundOnce = async (address: Address, amounts: { eth?: bigint; vvv?: bigint }): Promise<void> => {
    if (amounts.eth) {
      const balance = await p.publicClient.getBalance({ address })
      await p.testClient.setBalance({ address, value: balance + amounts.eth })
    }
    if (amounts.vvv) {
      const reserve = await p.publicClient.readContract({ address: p.vvv, abi: erc20Abi, functionName: 'balanceOf', args: [deployer.address] })
      if (reserve < amounts.vvv) {
        throw new FaucetError(`The devnet VVV reserve (${reserve} wei) cannot cover ${amounts.vvv} wei.`, {
          metaMessages: ['Ask for less VVV, or restart the devnet to refill the reserve.'],
          code: 'FAUCET_EMPTY',
        })
      }
      const tx = await createTxSender(p.publicClient, p.chain, deployer)
      await tx.call('faucet VVV transfer', p.vvv, erc20Abi, 'transfer', [address, amounts.vvv])
      await tx.settle()
    }
  }
  return (address, amounts) => {
    const next = queue.then(() => fundOnce(address, amounts))
    queue = next.catch(() => {})
    return next
  }
}
