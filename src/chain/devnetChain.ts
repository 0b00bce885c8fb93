import { defineChain, type Chain } from 'viem'

/** anvil's default chain id, used by the devnet. */
export const DEVNET_CHAIN_ID = 31337

/**
 * A viem chain for a devnet RPC URL.
 *
 * @example
 * ```ts
 * const chain = devnetChain('http://127.0.0.1:8545')
 * createPublicClient({ chain, transport: http() })
 * ```
 */
export function devnetChain(rpcUrl: string, chainId = DEVNET_CHAIN_ID): Chain {
  return defineChain({
    id: chainId,
    name: 'Gondola devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    contracts: { multicall3: { address: '0xcA11bde05977b3631167028862bE2a173976CA11' } },
  })
}
