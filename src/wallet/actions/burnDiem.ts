import { formatEther } from 'viem'
import { diemAbi, stakingAbi } from '../../chain/abis/index.js'
import { assertPositiveAmount } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError } from '../errors.js'
import { singleCall, type SingleCallResult } from '../steps/singleCall.js'

export type BurnDiemParameters = { /** Liquid DIEM to burn, base units. */ amount: bigint; idempotencyKey?: string | undefined }
export type BurnDiemReturnType = SingleCallResult & { amount: bigint }

/**
 * Burns liquid DIEM to release the sVVV locked behind it, pro rata (`burnDiem`).
 *
 * @throws {InsufficientFundsError} when the liquid DIEM or the DIEM minted by this wallet is short (nothing is sent).
 *
 * @example
 * ```ts
 * await burnDiem(wallet, { amount: parseEther('0.5') })
 * ```
 */
export async function burnDiem(wallet: Wallet, parameters: BurnDiemParameters): Promise<BurnDiemReturnType> {
  const { amount } = parameters
  assertPositiveAmount(amount, 'amount')
  const { staking, diem } = wallet.addresses
  const r = await singleCall(wallet, {
    intent: `burnDiem:${amount}`,
    idempotencyKey: parameters.idempotencyKey,
    build: async () => {
      const [liquid, [, outstanding]] = await Promise.all([
        wallet.publicClient.readContract({ address: diem, abi: diemAbi, functionName: 'balanceOf', args: [wallet.address] }),
        wallet.publicClient.readContract({ address: staking, abi: stakingAbi, functionName: 'lockedStakes', args: [wallet.address] }),
      ])
      const limit = liquid < outstanding ? liquid : outstanding
      if (limit < amount) {
        throw new InsufficientFundsError(
          `Burning ${formatEther(amount)} DIEM needs that much liquid DIEM minted by this wallet; it can burn ${formatEther(limit)}.`,
          {
            metaMessages: [
              liquid < amount
                ? 'Unstake DIEM first (`gondola diem unstake start`, then `finish` after the cooldown).'
                : 'Burn at most what this wallet minted.',
            ],
            code: 'INSUFFICIENT_DIEM',
          },
        )
      }
      return { label: `burn ${formatEther(amount)} DIEM`, to: staking, abi: stakingAbi, functionName: 'burnDiem', args: [amount] }
    },
  })
  return { ...r, amount }
}
