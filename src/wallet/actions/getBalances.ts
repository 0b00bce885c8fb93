import { multicall3Abi, type Address } from 'viem'
import { diemAbi, stakingAbi, vvvAbi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'

export type GetBalancesParameters = {
  /** Whose balances; defaults to the wallet's own address. */
  address?: Address | undefined
}

/** A balance snapshot taken in one block. All amounts in base units (18 decimals). */
export type GetBalancesReturnType = {
  address: Address
  /** Block timestamp of the snapshot (seconds), to compare cooldown ends with. */
  timestamp: bigint
  eth: bigint
  vvv: bigint
  svvv: { total: bigint; unlocked: bigint; locked: bigint }
  pendingRewards: bigint
  unstake: { amount: bigint; end: bigint; ready: boolean }
  diem: { liquid: bigint; staked: bigint; coolingDown: bigint; end: bigint; ready: boolean }
  /** VVV the staking contract may pull (what `stakeVvv` checks before approving). */
  vvvAllowanceToStaking: bigint
}

/**
 * Reads every balance the runtime cares about in ONE JSON-RPC request: one `eth_call` to
 * Multicall3 `aggregate3`, ETH included through Multicall3's `getEthBalance`.
 *
 * @example
 * ```ts
 * const b = await getBalances(wallet)
 * formatAmount(b.svvv.total) // '12.5'
 * ```
 */
export async function getBalances(
  wallet: Pick<Wallet, 'address' | 'publicClient' | 'addresses'>,
  parameters: GetBalancesParameters = {},
): Promise<GetBalancesReturnType> {
  const address = parameters.address ?? wallet.address
  const { vvv, staking, diem, multicall3 } = wallet.addresses
  const results = await wallet.publicClient.multicall({
    allowFailure: false,
    multicallAddress: multicall3,
    contracts: [
      { address: multicall3, abi: multicall3Abi, functionName: 'getEthBalance', args: [address] },
      { address: multicall3, abi: multicall3Abi, functionName: 'getCurrentBlockTimestamp' },
      { address: vvv, abi: vvvAbi, functionName: 'balanceOf', args: [address] },
      { address: vvv, abi: vvvAbi, functionName: 'allowance', args: [address, staking] },
      { address: staking, abi: stakingAbi, functionName: 'balanceOf', args: [address] },
      { address: staking, abi: stakingAbi, functionName: 'balanceOfUnlocked', args: [address] },
      { address: staking, abi: stakingAbi, functionName: 'pendingRewards', args: [address] },
      { address: staking, abi: stakingAbi, functionName: 'stakes', args: [address] },
      { address: diem, abi: diemAbi, functionName: 'balanceOf', args: [address] },
      { address: diem, abi: diemAbi, functionName: 'stakedInfos', args: [address] },
    ],
  })
  const [eth, timestamp, vvvBalance, allowance, svvvTotal, svvvUnlocked, pendingRewards, stake, diemLiquid, staked] = results
  const [, cooldownEnd, cooldownAmount] = stake
  const [amountStaked, coolDownEnd, coolDownAmount] = staked
  return {
    address,
    timestamp,
    eth,
    vvv: vvvBalance,
    svvv: { total: svvvTotal, unlocked: svvvUnlocked, locked: svvvTotal - svvvUnlocked },
    pendingRewards,
    unstake: { amount: cooldownAmount, end: cooldownEnd, ready: cooldownAmount > 0n && timestamp >= cooldownEnd },
    diem: { liquid: diemLiquid, staked: amountStaked, coolingDown: coolDownAmount, end: coolDownEnd, ready: coolDownAmount > 0n && timestamp >= coolDownEnd },
    vvvAllowanceToStaking: allowance,
  }
}
