import { erc20Abi, type Address, type Chain, type PublicClient, type TestClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { usdcAbi } from 'gondola/chain'
import { DEVNET_DEPLOYER_PRIVATE_KEY } from './deploy/deployParameters.js'
import { createTxSender } from './deploy/txSender.js'
import { FaucetError } from './errors.js'

/** What the faucet can give, in base units (wei for ETH and VVV, 6-decimal units for USDC). */
export type FaucetAmounts = { eth?: bigint; vvv?: bigint; usdc?: bigint }

/**
 * Builds the devnet faucet: ETH is added with `anvil_setBalance`; VVV is transferred from the
 * deployer's reserve (≈99 M VVV); USDC is minted by the deployer, which is a USDC minter (FiatToken's
 * `mint(to, amount)` within its minter allowance). Calls are serialized so the deployer's nonces never clash.
 *
 * @example
 * ```ts
 * const fund = createFaucet({ publicClient, testClient, chain, vvv, usdc })
 * await fund(me, { eth: parseEther('1'), vvv: parseEther('500'), usdc: parseUnits('20', 6) })
 * ```
 */
export function createFaucet(p: {
  publicClient: PublicClient
  testClient: TestClient
  chain: Chain
  vvv: Address
  /** The devnet's USDC; absent for a devnet state saved before it had one. */
  usdc?: Address | undefined
}): (address: Address, amounts: FaucetAmounts) => Promise<void> {
  const deployer = privateKeyToAccount(DEVNET_DEPLOYER_PRIVATE_KEY)
  let queue: Promise<unknown> = Promise.resolve()
  const fundOnce = async (address: Address, amounts: FaucetAmounts): Promise<void> => {
    if (amounts.usdc && !p.usdc) {
      throw new FaucetError('This devnet has no USDC: its state was saved before the devnet deployed one.', {
        metaMessages: ['Start the devnet without that --state file (or delete it) to deploy afresh.'],
        code: 'FAUCET_NO_USDC',
      })
    }
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
    if (amounts.usdc && p.usdc) {
      const allowance = await p.publicClient.readContract({ address: p.usdc, abi: usdcAbi, functionName: 'minterAllowance', args: [deployer.address] })
      if (allowance < amounts.usdc) {
        throw new FaucetError(`The devnet USDC minter allowance (${allowance} units) cannot cover ${amounts.usdc} units.`, {
          metaMessages: ['Ask for less USDC, or restart the devnet to reset the allowance.'],
          code: 'FAUCET_EMPTY',
        })
      }
      const tx = await createTxSender(p.publicClient, p.chain, deployer)
      await tx.call('faucet USDC mint', p.usdc, usdcAbi, 'mint', [address, amounts.usdc])
      await tx.settle()
    }
  }
  return (address, amounts) => {
    const next = queue.then(() => fundOnce(address, amounts))
    queue = next.catch(() => {})
    return next
  }
}
