/**
 * The spend policy: limits the model cannot override. Built from configuration, enforced by the
 * signing chokepoint (`sendCall`) before anything is signed.
 */
import { formatEther, getAddress, maxUint256, parseEther, type Address } from 'viem'
import type { Env } from '../../config/env.js'
import { addressBookContracts, type AddressBook } from '../../chain/addressBook.js'
import { PolicyViolationError } from '../errors.js'

export type SpendPolicy = {
  /** Most ETH a single transaction may carry (swaps are the only value-carrying transactions). */
  maxEthPerSwap: bigint
  /** Most ETH the wallet may spend per UTC day, summed over signed transactions in the journal. */
  maxEthPerDay: bigint
  /** Slippage bound for swaps and DIEM mints, in basis points. Callers never choose it. */
  maxSlippageBps: number
  /** The only contracts a transaction may go to, or an approval may name as spender. */
  allowlist: readonly Address[]
}

/**
 * Builds the policy from configuration; the allowlist is every contract of the address book.
 *
 * @example
 * ```ts
 * const policy = policyFromEnv(readEnv(), addresses) // 0.05 ETH/swap, 0.2 ETH/day, 50 bps by default
 * ```
 */
export function policyFromEnv(
  env: Pick<Env, 'GONDOLA_POLICY_MAX_ETH_PER_SWAP' | 'GONDOLA_POLICY_MAX_ETH_PER_DAY' | 'GONDOLA_POLICY_MAX_SLIPPAGE_BPS'>,
  addresses: AddressBook,
): SpendPolicy {
  return createPolicy({
    maxEthPerSwap: parseEther(env.GONDOLA_POLICY_MAX_ETH_PER_SWAP),
    maxEthPerDay: parseEther(env.GONDOLA_POLICY_MAX_ETH_PER_DAY),
    maxSlippageBps: env.GONDOLA_POLICY_MAX_SLIPPAGE_BPS,
    allowlist: addressBookContracts(addresses),
  })
}

/**
 * Validates and freezes a policy.
 *
 * @example
 * ```ts
 * const policy = createPolicy({ maxEthPerSwap: parseEther('0.05'), maxEthPerDay: parseEther('0.2'), maxSlippageBps: 50, allowlist: addressBookContracts(book) })
 * ```
 */
export function createPolicy(policy: SpendPolicy): Readonly<SpendPolicy> {
  if (!Number.isInteger(policy.maxSlippageBps) || policy.maxSlippageBps < 1 || policy.maxSlippageBps > 1000) {
    throw new PolicyViolationError(`Slippage bound ${policy.maxSlippageBps} bps is outside 1..1000.`, {
      metaMessages: ['Set GONDOLA_POLICY_MAX_SLIPPAGE_BPS between 1 and 1000.'],
      code: 'POLICY_INVALID',
    })
  }
  return Object.freeze({ ...policy, allowlist: Object.freeze(policy.allowlist.map((a) => getAddress(a))) })
}

export type PolicyCheck = {
  to: Address
  value: bigint
  /** ETH already spent today (UTC) by signed transactions, from the journal. */
  spentToday: bigint
  label: string
  functionName?: string | undefined
  args?: readonly unknown[] | undefined
}

/**
 * Throws a {@link PolicyViolationError} naming the limit if the transaction breaks the policy.
 *
 * @example
 * ```ts
 * assertPolicy(policy, { to: book.swapRouter, value: parseEther('1'), spentToday: 0n, label: 'swap' }) // throws: exceeds the per-swap cap
 * ```
 */
export function assertPolicy(policy: SpendPolicy, check: PolicyCheck): void {
  const { to, value, spentToday, label, functionName, args } = check
  if (!isAllowed(policy, to)) {
    throw new PolicyViolationError(`${label}: ${to} is not an allowlisted contract.`, {
      metaMessages: ['Only the address book contracts may be called.'],
      code: 'POLICY_NOT_ALLOWLISTED',
    })
  }
  if (functionName === 'approve') {
    const [spender, amount] = (args ?? []) as [Address, bigint]
    if (!isAllowed(policy, spender)) {
      throw new PolicyViolationError(`${label}: approval to ${spender}, which is not an allowlisted contract.`, {
        metaMessages: ['Only the address book contracts may be approved.'],
        code: 'POLICY_NOT_ALLOWLISTED',
      })
    }
    if (amount === maxUint256) {
      throw new PolicyViolationError(`${label}: unbounded (maxUint256) approvals are forbidden.`, {
        metaMessages: ['Approve the exact amount needed.'],
        code: 'POLICY_UNBOUNDED_APPROVAL',
      })
    }
  }
  if (value > policy.maxEthPerSwap) {
    throw new PolicyViolationError(`${label}: ${formatEther(value)} ETH exceeds the per-swap cap of ${formatEther(policy.maxEthPerSwap)} ETH.`, {
      metaMessages: [`Use at most ${formatEther(policy.maxEthPerSwap)} ETH, or raise GONDOLA_POLICY_MAX_ETH_PER_SWAP.`],
      code: 'POLICY_MAX_PER_SWAP',
    })
  }
  if (value > 0n && spentToday + value > policy.maxEthPerDay) {
    const left = policy.maxEthPerDay > spentToday ? policy.maxEthPerDay - spentToday : 0n
    throw new PolicyViolationError(
      `${label}: ${formatEther(value)} ETH would exceed the daily cap of ${formatEther(policy.maxEthPerDay)} ETH (${formatEther(spentToday)} ETH spent today, UTC).`,
      {
        metaMessages: [`At most ${formatEther(left)} ETH is left today; wait for 00:00 UTC or raise GONDOLA_POLICY_MAX_ETH_PER_DAY.`],
        code: 'POLICY_MAX_PER_DAY',
      },
    )
  }
}

/**
 * Whether the policy's allowlist holds `address` (case-insensitive).
 *
 * @example
 * ```ts
 * isAllowlisted(policy, book.aerodromeRouter) // true with the default allowlist (the address book)
 * ```
 */
export function isAllowlisted(policy: Pick<SpendPolicy, 'allowlist'>, address: Address | undefined): boolean {
  return isAllowed(policy, address)
}

function isAllowed(policy: Pick<SpendPolicy, 'allowlist'>, address: Address | undefined): boolean {
  if (!address) return false
  const a = address.toLowerCase()
  return policy.allowlist.some((x) => x.toLowerCase() === a)
}
