import type { Address, PublicClient, TestClient } from 'viem'
import { USDC_ADDRESS } from 'gondola/chain'
import type { DevnetArtifacts } from '../compile/compileContracts.js'
import { seedAerodromePool } from './deployAerodrome.js'
import type { DeployParameters } from './deployParameters.js'
import { moveContract } from './moveContract.js'
import { seedPool } from './seedPool.js'
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

/**
 * USDC and its markets: the token (`deployUsdc`), a WETH/USDC pool on Uniswap V3 (`usdcPoolFee` tier) and a
 * volatile one on Aerodrome, each seeded full range at the devnet's ETH price from freshly minted USDC. Needs
 * Uniswap and Aerodrome deployed first (`positionManager`; Aerodrome's factory at its Base address).
 *
 * @returns the USDC address.
 *
 * @example
 * ```ts
 * const usdc = await deployUsdcMarkets(tx, publicClient, testClient, artifacts, defaultDeployParameters, { weth, positionManager })
 * ```
 */
export async function deployUsdcMarkets(
  tx: TxSender,
  publicClient: PublicClient,
  testClient: TestClient,
  artifacts: DevnetArtifacts,
  params: DeployParameters,
  p: { weth: Address; positionManager: Address },
): Promise<Address> {
  const usdc = await deployUsdc(tx, publicClient, testClient, artifacts, { minterAllowance: params.usdcMinterAllowance })
  const { USDC } = artifacts.contracts
  await tx.call('USDC.mint(deployer) for pools', usdc, USDC.abi, 'mint', [tx.account.address, params.usdcPoolUsdc + params.aerodromeUsdc])
  await seedPool(tx, {
    token: usdc,
    symbol: 'USDC',
    weth: p.weth,
    positionManager: p.positionManager,
    fee: params.usdcPoolFee,
    tokenAmount: params.usdcPoolUsdc,
    wethAmount: params.usdcPoolWeth,
  })
  await seedAerodromePool(tx, publicClient, {
    token: usdc,
    symbol: 'USDC',
    weth: p.weth,
    tokenAmount: params.aerodromeUsdc,
    wethAmount: params.aerodromeUsdcWeth,
  })
  await tx.settle()
  return usdc
}
