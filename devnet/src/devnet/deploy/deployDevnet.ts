import type { Chain, PublicClient, TestClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { AddressBook } from 'gondola/chain'
import type { DevnetArtifacts } from '../compile/compileContracts.js'
import { DEVNET_DEPLOYER_PRIVATE_KEY, type DeployParameters } from './deployParameters.js'
import { deployAerodrome } from './deployAerodrome.js'
import { deployUniswap } from './deployUniswap.js'
import { deployUsdcMarkets } from './deployUsdc.js'
import { deployVenice } from './deployVenice.js'
import { seedPool } from './seedPool.js'
import { createTxSender } from './txSender.js'

/** ETH given to the deployer before it deploys (pool liquidity + faucet). */
const DEPLOYER_ETH = 10_000_000n * 10n ** 18n

/**
 * Deploys everything onto a fresh anvil: Venice contracts, WETH9, Multicall3, Uniswap V3 with a
 * seeded VVV/WETH pool, and an Aerodrome-compatible factory + router (at Base's addresses) with a
 * seeded volatile WETH/VVV pool at another price and depth; then USDC (a FiatToken stand-in at Base's address)
 * with a WETH/USDC pool on each venue.
 *
 * @returns the devnet address book.
 *
 * @example
 * ```ts
 * const addresses = await deployDevnet({ publicClient, testClient, chain, artifacts, params: defaultDeployParameters })
 * ```
 */
export async function deployDevnet(p: {
  publicClient: PublicClient
  testClient: TestClient
  chain: Chain
  artifacts: DevnetArtifacts
  params: DeployParameters
}): Promise<AddressBook> {
  const account = privateKeyToAccount(DEVNET_DEPLOYER_PRIVATE_KEY)
  await p.testClient.setBalance({ address: account.address, value: DEPLOYER_ETH })
  const tx = await createTxSender(p.publicClient, p.chain, account)
  const venice = await deployVenice(tx, p.artifacts, p.params)
  const uniswap = await deployUniswap(tx, p.testClient, p.artifacts)
  await seedPool(tx, {
    token: venice.vvv,
    symbol: 'VVV',
    weth: uniswap.weth,
    positionManager: uniswap.positionManager,
    fee: p.params.poolFee,
    tokenAmount: p.params.poolVvv,
    wethAmount: p.params.poolWeth,
  })
  const aerodrome = await deployAerodrome(tx, p.publicClient, p.testClient, p.artifacts, {
    vvv: venice.vvv,
    weth: uniswap.weth,
    vvvAmount: p.params.aerodromeVvv,
    wethAmount: p.params.aerodromeWeth,
  })
  const usdc = await deployUsdcMarkets(tx, p.publicClient, p.testClient, p.artifacts, p.params, uniswap)
  return {
    network: 'devnet',
    chainId: p.chain.id,
    ...venice,
    ...uniswap,
    aerodromeRouter: aerodrome.aerodromeRouter,
    aerodromeFactory: aerodrome.aerodromeFactory,
    usdc,
  }
}

/**
 * Adds USDC and its WETH/USDC pools to a devnet deployed before it had them (a saved `--state` file), from the
 * deployer's key as the original deployment did.
 *
 * @returns the address book with `usdc`.
 *
 * @example
 * ```ts
 * const upgraded = await addUsdcMarkets({ publicClient, testClient, chain, artifacts, params }, saved.addresses)
 * ```
 */
export async function addUsdcMarkets(
  p: { publicClient: PublicClient; testClient: TestClient; chain: Chain; artifacts: DevnetArtifacts; params: DeployParameters },
  addresses: AddressBook,
): Promise<AddressBook> {
  const tx = await createTxSender(p.publicClient, p.chain, privateKeyToAccount(DEVNET_DEPLOYER_PRIVATE_KEY))
  const usdc = await deployUsdcMarkets(tx, p.publicClient, p.testClient, p.artifacts, p.params, addresses)
  return { ...addresses, usdc }
}
