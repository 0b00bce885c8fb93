import { createWalletClient, http, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { devnetChain } from 'gondola/chain'
import type { X402Settlement } from '../emulator/x402/config.js'
import type { Devnet } from './startDevnet.js'

/**
 * The emulator's own facilitator account on a devnet: a fresh key (kept in memory only), given 10 ETH
 * for gas, that submits the `transferWithAuthorization` of each x402 top-up.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ chain, x402: { settlement: await x402SettlementOn(devnet) } })
 * ```
 */
export async function x402SettlementOn(devnet: Devnet): Promise<X402Settlement> {
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.fund(account.address, { eth: parseEther('10') })
  const walletClient = createWalletClient({ account, chain: devnetChain(devnet.rpcUrl, devnet.chainId), transport: http(devnet.rpcUrl) })
  return { publicClient: devnet.publicClient, walletClient }
}
