import { erc20Abi, parseAbi, type Address, type PublicClient, type TestClient } from 'viem'
import { wethAbi, AERODROME_FACTORY_ADDRESS, AERODROME_ROUTER_ADDRESS } from 'gondola/chain'
import type { DevnetArtifacts } from '../compile/compileContracts.js'
import { moveContract } from './moveContract.js'
import type { TxSender } from './txSender.js'

/** Factory storage written by its constructor (pauser, fees, fee manager): slots 0–3, copied with its code. */
const FACTORY_CONSTRUCTED_SLOTS = 4

const factoryAbi = parseAbi([
  'function getPool(address tokenA, address tokenB, bool stable) view returns (address)',
  'function createPool(address tokenA, address tokenB, bool stable) returns (address)',
])
const poolMintAbi = parseAbi(['function mint(address to) returns (uint256)'])

/**
 * Deploys the Aerodrome-compatible pool implementation, PoolFactory and Router, moves the factory
 * and router to their Base addresses (anvil_setCode; constructor-set storage copied, immutables are
 * in the code), so the devnet address book matches Base's; then creates the volatile WETH/VVV pool and
 * seeds it at its own price and depth.
 *
 * @returns the router, factory and pool addresses.
 *
 * @example
 * ```ts
 * const aero = await deployAerodrome(tx, publicClient, testClient, artifacts, { vvv, weth, vvvAmount, wethAmount })
 * ```
 */
export async function deployAerodrome(
  tx: TxSender,
  publicClient: PublicClient,
  testClient: TestClient,
  artifacts: DevnetArtifacts,
  p: { vvv: Address; weth: Address; vvvAmount: bigint; wethAmount: bigint },
): Promise<{ aerodromeRouter: Address; aerodromeFactory: Address; aerodromePool: Address }> {
  const { AerodromePool, AerodromePoolFactory, AerodromeRouter } = artifacts.contracts
  const implementation = await tx.deploy('deploy Aerodrome Pool implementation', AerodromePool.abi, AerodromePool.bytecode)
  const factory = await tx.deploy('deploy Aerodrome PoolFactory', AerodromePoolFactory.abi, AerodromePoolFactory.bytecode, [implementation, tx.account.address])
  const router = await tx.deploy('deploy Aerodrome Router', AerodromeRouter.abi, AerodromeRouter.bytecode, [AERODROME_FACTORY_ADDRESS, p.weth])
  await tx.settle()
  await moveContract(publicClient, testClient, factory, AERODROME_FACTORY_ADDRESS, FACTORY_CONSTRUCTED_SLOTS)
  await moveContract(publicClient, testClient, router, AERODROME_ROUTER_ADDRESS, 0)
  const aerodromePool = await seedAerodromePool(tx, publicClient, {
    token: p.vvv,
    symbol: 'VVV',
    weth: p.weth,
    tokenAmount: p.vvvAmount,
    wethAmount: p.wethAmount,
  })
  return { aerodromeRouter: AERODROME_ROUTER_ADDRESS, aerodromeFactory: AERODROME_FACTORY_ADDRESS, aerodromePool }
}

/**
 * Creates the volatile WETH/token pool on the devnet's Aerodrome factory and seeds it with both amounts (their
 * ratio sets the price). The deployer must hold `tokenAmount` of the token.
 *
 * @returns the pool's address.
 *
 * @example
 * ```ts
 * const pool = await seedAerodromePool(tx, publicClient, { token: usdc, symbol: 'USDC', weth, tokenAmount, wethAmount })
 * ```
 */
export async function seedAerodromePool(
  tx: TxSender,
  publicClient: PublicClient,
  p: { token: Address; symbol: string; weth: Address; tokenAmount: bigint; wethAmount: bigint },
): Promise<Address> {
  await tx.call(`Aerodrome createPool(WETH, ${p.symbol}, volatile)`, AERODROME_FACTORY_ADDRESS, factoryAbi, 'createPool', [p.weth, p.token, false])
  await tx.settle()
  const pool = await publicClient.readContract({ address: AERODROME_FACTORY_ADDRESS, abi: factoryAbi, functionName: 'getPool', args: [p.weth, p.token, false] })
  await tx.call(`WETH.deposit (Aerodrome ${p.symbol})`, p.weth, wethAbi, 'deposit', [], p.wethAmount)
  await tx.call(`WETH.transfer(Aerodrome ${p.symbol} pool)`, p.weth, erc20Abi, 'transfer', [pool, p.wethAmount])
  await tx.call(`${p.symbol}.transfer(Aerodrome pool)`, p.token, erc20Abi, 'transfer', [pool, p.tokenAmount])
  await tx.call(`Aerodrome ${p.symbol} pool.mint`, pool, poolMintAbi, 'mint', [tx.account.address])
  return pool
}
