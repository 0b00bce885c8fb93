import type { Chain, PublicClient, Transport } from 'viem'

/**
 * viem's `estimateFeesPerGas`, with its two reads (latest block, `eth_maxPriorityFeePerGas`) issued
 * together instead of one after the other, so a batching transport sends them in the same HTTP request
 * as the nonce, gas and simulation reads. The fee formula (and any chain fee hook) stays viem's: the
 * block and the priority fee are handed to it.
 *
 * @example
 * ```ts
 * const { maxFeePerGas, maxPriorityFeePerGas } = await feesPerGas(wallet.publicClient)
 * ```
 */
export async function feesPerGas(client: PublicClient<Transport, Chain | undefined>): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
  const [block, maxPriorityFeePerGas] = await Promise.all([client.getBlock(), client.estimateMaxPriorityFeePerGas()])
  return client.estimateFeesPerGas({ block, request: { maxPriorityFeePerGas } } as never)
}
