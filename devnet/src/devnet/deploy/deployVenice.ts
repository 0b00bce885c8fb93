import { getContractAddress, type Address } from 'viem'
import type { DevnetArtifacts } from '../compile/compileContracts.js'
import type { DeployParameters } from './deployParameters.js'
import type { TxSender } from './txSender.js'

/**
 * Deploys VVV, the staking contract (which creates DIEM in its constructor) and hands VVV's
 * ownership to the staking contract, as on mainnet.
 *
 * @example
 * ```ts
 * const { vvv, staking } = await deployVenice(tx, artifacts, defaultDeployParameters)
 * ```
 */
export async function deployVenice(
  tx: TxSender,
  artifacts: DevnetArtifacts,
  params: DeployParameters,
): Promise<{ vvv: Address; staking: Address; diem: Address }> {
  const { VVV, Staking } = artifacts.contracts
  const vvv = await tx.deploy('deploy VVV', VVV.abi, VVV.bytecode, [tx.account.address, params.vvvInitialSupply])
  const staking = await tx.deploy('deploy Staking', Staking.abi, Staking.bytecode, [
    vvv,
    BigInt(params.stakingCooldownSeconds),
    params.emissionRatePerSecond,
    BigInt(params.diemCooldownSeconds),
  ])
  await tx.call('VVV.transferOwnership(staking)', vvv, VVV.abi, 'transferOwnership', [staking])
  // The staking contract's first CREATE (nonce 1) is DIEM.
  const diem = getContractAddress({ from: staking, nonce: 1n })
  return { vvv, staking, diem }
}
