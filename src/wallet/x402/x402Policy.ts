/**
 * The spend policy's x402 part: what a USDC top-up may pay, to whom, in what. Checked against a 402's `accepts`
 * BEFORE anything is signed: an entry whose network, asset or payee the policy does not know is never chosen.
 */
import { formatUnits, getAddress, isAddress, parseUnits, type Address } from 'viem'
import type { Env } from '../../config/env.js'
import { PolicyViolationError } from '../errors.js'

/** USDC has 6 decimals. */
export const USDC_DECIMALS = 6

export type X402Policy = {
  /** Most USDC (base units) one top-up may pay. */
  maxUsdcPerTopUp: bigint
  /** Most USDC (base units) the wallet may sign over per UTC day, summed over signed and settled top-ups. */
  maxUsdcPerDay: bigint
  /** The tokens a payment may move (USDC). */
  assets: readonly Address[]
  /** The payees a payment may go to (Venice's receiver, or the emulator's). */
  payees: readonly Address[]
}

/** One `accepts` entry, the fields the policy reads. */
export type X402Offer = { scheme: string; network: string; asset: string; payTo: string; amount: string; maxTimeoutSeconds: number }

/**
 * The x402 policy from configuration: GONDOLA_POLICY_MAX_USDC_PER_TOPUP, GONDOLA_POLICY_MAX_USDC_PER_DAY,
 * GONDOLA_X402_PAYEES; the asset is the address book's USDC.
 *
 * @example
 * ```ts
 * const policy = x402PolicyFromEnv(readEnv(), addresses.usdc) // 20 USDC per top-up, 50 per day by default
 * ```
 */
export function x402PolicyFromEnv(
  env: Pick<Env, 'GONDOLA_POLICY_MAX_USDC_PER_TOPUP' | 'GONDOLA_POLICY_MAX_USDC_PER_DAY' | 'GONDOLA_X402_PAYEES'>,
  usdc: Address | undefined,
): X402Policy {
  return {
    maxUsdcPerTopUp: parseUnits(env.GONDOLA_POLICY_MAX_USDC_PER_TOPUP, USDC_DECIMALS),
    maxUsdcPerDay: parseUnits(env.GONDOLA_POLICY_MAX_USDC_PER_DAY, USDC_DECIMALS),
    assets: usdc ? [getAddress(usdc)] : [],
    payees: env.GONDOLA_X402_PAYEES.map((a) => getAddress(a)),
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * The one `accepts` entry the policy lets the wallet pay: the `exact` scheme on this chain (`eip155:<chainId>`), in
 * an allowlisted asset, to an allowlisted payee.
 *
 * @throws {PolicyViolationError} (exit 4) naming what was offered when no entry qualifies.
 *
 * @example
 * ```ts
 * const offer = selectOffer(policy, required.accepts, 8453) // the Base USDC entry, never the Solana one
 * ```
 */
export function selectOffer<T extends X402Offer>(policy: X402Policy, accepts: readonly T[], chainId: number): T {
  const network = `eip155:${chainId}`
  const onChain = accepts.filter((a) => a.scheme === 'exact' && a.network === network && isAddress(a.asset) && isAddress(a.payTo))
  const offer = onChain.find((a) => policy.assets.some((x) => same(x, a.asset)) && policy.payees.some((x) => same(x, a.payTo)))
  if (offer) return offer
  const seen = onChain.map((a) => `${a.asset} → ${a.payTo}`).join(', ') || `none on ${network}`
  const unknownPayee = onChain.find((a) => policy.assets.some((x) => same(x, a.asset)))?.payTo
  throw new PolicyViolationError(`x402 top-up: no payment offer the spend policy allows (offered: ${seen}).`, {
    metaMessages: [
      unknownPayee
        ? `The payee ${unknownPayee} is not one the policy knows. If it is Venice's (or your emulator's) receiver, add it to GONDOLA_X402_PAYEES.`
        : `Only USDC (${policy.assets.join(', ') || 'not in the address book'}) on ${network} may be paid.`,
    ],
    code: 'POLICY_X402_NOT_ALLOWLISTED',
  })
}

/**
 * Checks one payment of `amount` (USDC base units) against the caps, given what was signed today (UTC).
 *
 * @throws {PolicyViolationError} (exit 4) naming the cap.
 *
 * @example
 * ```ts
 * assertX402Caps(policy, { amount: 5_000_000n, spentToday: 0n }) // $5: fine under the default caps
 * ```
 */
export function assertX402Caps(policy: X402Policy, p: { amount: bigint; spentToday: bigint }): void {
  const usd = (v: bigint) => `${formatUnits(v, USDC_DECIMALS)} USDC`
  if (p.amount > policy.maxUsdcPerTopUp)
    throw new PolicyViolationError(`x402 top-up: ${usd(p.amount)} exceeds the per-top-up cap of ${usd(policy.maxUsdcPerTopUp)}.`, {
      metaMessages: [`Top up at most ${usd(policy.maxUsdcPerTopUp)}, or raise GONDOLA_POLICY_MAX_USDC_PER_TOPUP.`],
      code: 'POLICY_X402_MAX_PER_TOPUP',
    })
  if (p.spentToday + p.amount > policy.maxUsdcPerDay) {
    const left = policy.maxUsdcPerDay > p.spentToday ? policy.maxUsdcPerDay - p.spentToday : 0n
    throw new PolicyViolationError(
      `x402 top-up: ${usd(p.amount)} would exceed the daily cap of ${usd(policy.maxUsdcPerDay)} (${usd(p.spentToday)} signed today, UTC).`,
      { metaMessages: [`At most ${usd(left)} is left today; wait for 00:00 UTC or raise GONDOLA_POLICY_MAX_USDC_PER_DAY.`], code: 'POLICY_X402_MAX_PER_DAY' },
    )
  }
}
