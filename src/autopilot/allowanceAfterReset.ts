import { formatEther } from 'viem'
import { stakingAbi } from '../chain/abis/index.js'
import type { AllowanceProjection } from '../status/epoch.js'
import type { Wallet } from '../wallet/createWallet.js'
import { projectAllowance } from './projection.js'
import { autopilotStore } from './store.js'

/**
 * The autopilot's guess of the Diem allowance after the reset, for the status model: the wallet's stake times the
 * pool it learned, once it has learned one (else `undefined`: status falls back on this epoch's allocation).
 *
 * @example
 * ```ts
 * const status = await collectStatus({ ...sources, projectAllowance: autopilotAllowance({ wallet, stateDir, minStakedDiem: parseEther('0.1') }) }, { now, windowMs })
 * ```
 */
export function autopilotAllowance(o: { wallet: Wallet; stateDir: string; minStakedDiem: bigint }): AllowanceProjection {
  return async ({ balances: b }) => {
    const store = autopilotStore({ stateDir: o.stateDir, chainId: o.wallet.chainId, address: o.wallet.address })
    const observation = (await store.readRate().catch(() => ({ observation: undefined }))).observation
    if (!observation) return undefined
    const totalSvvv = await o.wallet.publicClient.readContract({ address: o.wallet.addresses.staking, abi: stakingAbi, functionName: 'totalSupply' })
    const projected = projectAllowance(
      { svvv: b.svvv.total, totalSvvv, stakedDiem: b.diem.staked },
      { poolDiem: BigInt(observation.poolDiem), minStakedDiem: o.minStakedDiem },
    )
    return { amount: Number(formatEther(projected)), basis: `stake × the pool learned ${observation.epochStart.slice(0, 10)}` }
  }
}
