import { formatEther, formatGwei } from 'viem'
import { InsufficientFundsError } from '../errors.js'

/** The most gas added on top of an estimate (a bounded margin, not a multiple of it). */
export const MAX_GAS_MARGIN = 150_000n
/** At least this much margin: a cheap call's estimate is noisier in relative terms. */
export const MIN_GAS_MARGIN = 25_000n

export type GasLimitParameters = {
  /** `eth_estimateGas` for the call. */
  estimate: bigint
  /** Wei the transaction carries. */
  value: bigint
  /** The wallet's ETH balance now. */
  balance: bigint
  /** The fee cap the transaction is signed with: the node checks `value + gasLimit × maxFeePerGas` against the balance. */
  maxFeePerGas: bigint
  /** What the call is, for the error message. */
  label: string
  /** A re-estimate after an out-of-gas revert: the margin doubles (still bounded, still capped by the balance). */
  retry?: number | undefined
}

/**
 * The gas limit for a call, sized to the call and to the balance: the estimate plus a bounded margin
 * (the estimate again, at least 25k and at most 150k: measured on the devnet, a stake estimated at 71k used
 * 139k one block later, as the staking contract's reward accrual runs), capped by what the balance can pay at
 * `maxFeePerGas` after `value` — never below the estimate. Unused gas is not charged; a limit the balance
 * cannot cover makes the node refuse the transaction outright, which is why the cap matters for a thin wallet.
 *
 * @throws {InsufficientFundsError} when the balance cannot pay `value + estimate × maxFeePerGas` (nothing is signed).
 *
 * @example
 * ```ts
 * gasLimitFor({ estimate: 120_000n, value: 0n, balance: parseEther('1'), maxFeePerGas: 2_000_000_000n, label: 'stake' }) // 240_000n
 * ```
 */
export function gasLimitFor(p: GasLimitParameters): bigint {
  const { estimate, value, balance, maxFeePerGas } = p
  const need = value + estimate * maxFeePerGas
  if (balance < need) {
    throw new InsufficientFundsError(
      `${p.label} needs ${formatEther(need)} ETH (${formatEther(value)} value + ${estimate} gas × ${formatGwei(maxFeePerGas)} gwei max fee) but the wallet holds ${formatEther(balance)} ETH.`,
      {
        metaMessages: [`Send at least ${formatEther(need - balance)} ETH more, then run the command again. Nothing was sent.`],
        code: 'INSUFFICIENT_ETH_FOR_GAS',
      },
    )
  }
  const scale = 2n ** BigInt(p.retry ?? 0)
  const margin = clamp(estimate * scale, MIN_GAS_MARGIN * scale, MAX_GAS_MARGIN * scale)
  const affordable = maxFeePerGas > 0n ? (balance - value) / maxFeePerGas : estimate + margin
  return clamp(estimate + margin, estimate, affordable)
}

function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  return x < lo ? lo : x > hi ? hi : x
}
