import { createPublicClient, http, type Chain, type PublicClient, type Transport } from 'viem'
import { base } from 'viem/chains'
import type { Env } from '../config/env.js'
import { devnetChain } from '../devnet/chain.js'
import { readDevnetInfo } from '../devnet/devnetInfo.js'
import { registerUrlSecrets } from '../util/redact.js'
import { baseAddressBook, type AddressBook } from './addressBook.js'

export type ChainContext = {
  network: 'devnet' | 'base'
  rpcUrl: string
  chain: Chain
  addresses: AddressBook
  publicClient: PublicClient<Transport, Chain | undefined>
}

/**
 * The chain side of the configuration: devnet by default (RPC URL and address book discovered
 * from the running `gondola devnet`'s `<stateDir>/devnet.json`, DEVNET_RPC_URL overriding the URL),
 * Base mainnet with GONDOLA_NETWORK=base and BASE_RPC_URL. Same shape either way.
 *
 * @throws {DevnetStateError} when no devnet is running on the devnet network.
 *
 * @example
 * ```ts
 * const { publicClient, addresses } = createClients(readEnv())
 * ```
 */
export function createClients(env: Pick<Env, 'GONDOLA_NETWORK' | 'GONDOLA_STATE_DIR' | 'BASE_RPC_URL' | 'DEVNET_RPC_URL'>): ChainContext {
  if (env.GONDOLA_NETWORK === 'base') {
    const rpcUrl = env.BASE_RPC_URL!
    registerUrlSecrets(rpcUrl)
    const publicClient = createPublicClient({ chain: base, transport: http(rpcUrl, { batch: true }) }) as PublicClient<Transport, Chain | undefined>
    return { network: 'base', rpcUrl, chain: base, addresses: baseAddressBook, publicClient }
  }
  const info = readDevnetInfo(env.GONDOLA_STATE_DIR)
  const rpcUrl = env.DEVNET_RPC_URL ?? info.rpcUrl
  // Keys inside the RPC URL are removed from every error, log line, tool result and `--json` output.
  registerUrlSecrets(rpcUrl)
  const chain = devnetChain(rpcUrl, info.chainId)
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl, { batch: true }), pollingInterval: 100 }) as PublicClient<Transport, Chain | undefined>
  return { network: 'devnet', rpcUrl, chain, addresses: info.addresses, publicClient }
}
