/**
 * How the emulator learns a wallet's stake: sVVV balance, total sVVV and staked DIEM, read from the
 * chain the runtime uses (the devnet's anvil, or any client with the same contracts).
 */
import type { Address, PublicClient } from 'viem'
import { getAddress } from 'viem'
import { diemAbi, stakingAbi, type AddressBook } from 'gondola/chain'

/** A wallet's stake in base units (18 decimals). */
export type Stake = { svvv: bigint; totalSvvv: bigint; stakedDiem: bigint }

/** Reads stakes; the emulator's only view of the chain. */
export type ChainReader = { getStake(address: Address): Promise<Stake> }

/**
 * A reader over a viem `PublicClient`: one multicall for sVVV `balanceOf`, `totalSupply` and DIEM
 * `stakedInfos` (falls back to plain reads when the chain has no Multicall3).
 *
 * @example
 * ```ts
 * const chain = createChainReader({ publicClient, addresses: devnet.addresses })
 * const { svvv, totalSvvv, stakedDiem } = await chain.getStake(account.address)
 * ```
 */
export function createChainReader({ publicClient, addresses }: { publicClient: PublicClient; addresses: AddressBook }): ChainReader {
  return {
    async getStake(address) {
      const contracts = [
        { address: addresses.staking, abi: stakingAbi, functionName: 'balanceOf', args: [address] },
        { address: addresses.staking, abi: stakingAbi, functionName: 'totalSupply' },
        { address: addresses.diem, abi: diemAbi, functionName: 'stakedInfos', args: [address] },
      ] as const
      try {
        const [svvv, totalSvvv, info] = await publicClient.multicall({ contracts, allowFailure: false, multicallAddress: addresses.multicall3 })
        return { svvv, totalSvvv, stakedDiem: info[0] }
      } catch {
        const [svvv, totalSvvv, info] = await Promise.all([
          publicClient.readContract(contracts[0]),
          publicClient.readContract(contracts[1]),
          publicClient.readContract(contracts[2]),
        ])
        return { svvv, totalSvvv, stakedDiem: info[0] }
      }
    },
  }
}

/**
 * A reader over a fixed map, for unit tests that need no chain. Unknown wallets have no stake;
 * `totalSvvv` defaults to the sum of all listed sVVV. The map may be mutated between calls.
 *
 * @example
 * ```ts
 * const chain = createStaticChainReader({ '0xAbc…': { svvv: 10n ** 18n } })
 * ```
 */
export function createStaticChainReader(map: Record<string, { svvv?: bigint; stakedDiem?: bigint }>, options: { totalSvvv?: bigint } = {}): ChainReader {
  return {
    async getStake(address) {
      const entries = Object.entries(map)
      const own = entries.find(([a]) => getAddress(a) === getAddress(address))?.[1]
      const total = options.totalSvvv ?? entries.reduce((sum, [, v]) => sum + (v.svvv ?? 0n), 0n)
      return { svvv: own?.svvv ?? 0n, totalSvvv: total, stakedDiem: own?.stakedDiem ?? 0n }
    },
  }
}
