import { createPublicClient, http, type Chain, type PublicClient, type Transport } from 'viem'
import { base } from 'viem/chains'
import type { Env } from '../config/env.js'
import { devnetChain } from '../chain/devnetChain.js'
import { existsSync } from 'node:fs'
import { readAddressRegistry } from '../chain/addressRegistry.js'
import { devnetInfoPath, readDevnetInfo } from '../chain/devnetInfo.js'
import { registerUrlSecrets, redactUrl } from '../util/redact.js'
import { baseAddressBook, type AddressBook } from '../chain/addressBook.js'

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
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl, { batch: true }), pollingInterval: 100 }) as PublicClient<
    Transport,
    Chain | undefined
  >
  return { network: 'devnet', rpcUrl, chain, addresses: info.addresses, publicClient }
}

/**
 * Like `createClients`, but a devnet needs no `devnet.json`: with DEVNET_RPC_URL set and no info file in the
 * state dir, the chain id and address book are read from the devnet chain itself (the address book it
 * records at start). So DEVNET_RPC_URL + VENICE_API_BASE_URL are enough for any GONDOLA_STATE_DIR.
 *
 * @throws {DevnetStateError} when neither a devnet.json nor DEVNET_RPC_URL is there, or that chain is not a Gondola devnet.
 *
 * @example
 * ```ts
 * const { publicClient, addresses } = await resolveChain(readEnv({ DEVNET_RPC_URL: 'http://127.0.0.1:8545', GONDOLA_STATE_DIR: '/tmp/bot7' }))
 * ```
 */
export async function resolveChain(env: Pick<Env, 'GONDOLA_NETWORK' | 'GONDOLA_STATE_DIR' | 'BASE_RPC_URL' | 'DEVNET_RPC_URL'>): Promise<ChainContext> {
  if (env.GONDOLA_NETWORK === 'base' || !env.DEVNET_RPC_URL || existsSync(devnetInfoPath(env.GONDOLA_STATE_DIR))) return createClients(env)
  const rpcUrl = env.DEVNET_RPC_URL
  const probe = createPublicClient({ transport: http(rpcUrl, { batch: true }) })
  const addresses = await readAddressRegistry(probe, redactUrl(rpcUrl))
  const chain = devnetChain(rpcUrl, addresses.chainId)
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl, { batch: true }), pollingInterval: 100 }) as PublicClient<
    Transport,
    Chain | undefined
  >
  return { network: 'devnet', rpcUrl, chain, addresses, publicClient }
}
