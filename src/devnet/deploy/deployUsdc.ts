import type { Address, PublicClient, TestClient } from 'viem'
import { USDC_ADDRESS } from '../../chain/addressBook.js'
import type { DevnetArtifacts } from '../compile/compileContracts.js'
import { moveContract } from './moveContract.js'
import type { TxSender } from './txSender.js'

/**
 * Deploys the FiatToken-compatible USDC stand-in, moves its runtime code to Base's USDC address (its EIP-712 domain
 * then names that address), and initializes it there: the deployer becomes owner and master minter, and a minter
 * with `minterAllowance` (base units), so the deployer can mint for pools and the faucet.
 *
 * @returns Base's USDC address, where the token now lives.
 *
 * @example
 * ```ts
 * const usdc = await deployUsdc(tx, publicClient, testClient, artifacts, { minterAllowance: 10n ** 18n })
 * ```
 */
export async function deployUsdc(
  tx: TxSender,
  publicClient: PublicClient,
  testClient: TestClient,
  artifacts: DevnetArtifacts,
  p: { minterAllowance: bigint },
): Promise<Address> {
  const { USDC } = artifacts.contracts
  const deployed = await tx.deploy('deploy USDC (FiatToken stand-in)', USDC.abi, USDC.bytecode)
  await tx.settle()
  // Constructor storage (OpenZeppelin's owner) stays behind: `initialize` sets it at the new address.
  await moveContract(publicClient, testClient, deployed, USDC_ADDRESS, 0)
  const me = tx.account.address
  await tx.call('USDC.initialize(deployer, deployer)', USDC_ADDRESS, USDC.abi, 'initialize', [me, me])
  await tx.call('USDC.configureMinter(deployer)', USDC_ADDRESS, USDC.abi, 'configureMinter', [me, p.minterAllowance])
  return USDC_ADDRESS
}
