/**
 * The x402 top-up: buy Venice USDC credits with one x402 `exact` payment, under the spend policy, crash-safe.
 *
 * Under the wallet's inter-process lock (the same one every transaction takes):
 * 1. earlier payments are settled first (`settleX402Payments`): each signed authorization is looked up on chain —
 *    used → settled (never paid again); unused and still valid → the SAME signed header is sent again (the nonce
 *    makes a double payment impossible); expired → dropped (nothing was paid). One that settles now is this call's
 *    top-up: nothing more is paid;
 * 2. the 402's `accepts` is checked against the policy (network, asset, payee) and the caps BEFORE signing;
 * 3. USDC is bought first when the wallet holds too little (`ensureUsdc`, e.g. a swap from ETH);
 * 4. intent journaled → authorization signed and journaled (nonce, validity, header) → sent → settled journaled.
 */
import { formatUnits, type Address, type Hex } from 'viem'
import { erc20Abi } from 'viem'
import { usdcAbi } from '../../chain/abis/usdc.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError, PolicyViolationError } from '../errors.js'
import { withWalletLock } from '../send/withRun.js'
import { loadX402 } from './loadX402.js'
import { signX402Payment } from './signX402Payment.js'
import { openX402Journal, x402JournalPathOf, type X402Journal, type X402Payment } from './x402Journal.js'
import { assertX402Caps, selectOffer, USDC_DECIMALS, type X402Offer, type X402Policy } from './x402Policy.js'

/** What the top-up needs from Venice (a Venice client is one): the 402 requirements, and the paid submission. */
export type X402TopUpApi = {
  getX402TopUpRequirements(): Promise<{ x402Version: number; accepts: (X402Offer & { extra?: Record<string, unknown> | undefined })[] }>
  submitX402TopUp(paymentSignature: string): Promise<{ amountCredited: number; newBalance: number; paymentId: string; transaction?: string | undefined }>
  /** The top-up URL, named in the signed payload's `resource`. */
  readonly topUpUrl: string
}

/** Kill points for crash tests. */
export type X402TopUpHooks = {
  afterIntent?: ((p: X402Payment) => void | Promise<void>) | undefined
  afterSign?: ((p: X402Payment) => void | Promise<void>) | undefined
  afterSubmit?: ((p: X402Payment) => void | Promise<void>) | undefined
}

export type TopUpX402Parameters = {
  api: X402TopUpApi
  policy: X402Policy
  /** USDC base units to pay (at least Venice's minimum, $5). */
  amount: bigint
  reason?: string | undefined
  /** Buys USDC when the wallet holds less than `needed` (base units); without it, too little USDC is an error. */
  ensureUsdc?: ((wallet: Wallet, needed: bigint) => Promise<void>) | undefined
  /** At most one top-up per this many ms for the wallet (the funding window); 0 or absent: none. */
  cooldownMs?: number | undefined
  hooks?: X402TopUpHooks | undefined
}

export type TopUpX402ReturnType = {
  status: 'settled' | 'planned'
  amount: bigint
  payTo: Address
  asset: Address
  network: string
  nonce: Hex | undefined
  transaction: string | undefined
  creditedUsd: number | undefined
  newBalanceUsd: number | undefined
  /** Earlier payments this call settled or dropped first (a crash's leftovers). */
  resumed: X402Payment[]
  /** True when this call paid nothing new: it completed a top-up a crash had interrupted (in `resumed`). */
  finishedEarlier?: boolean | undefined
}

/**
 * Tops up x402 credits by `amount` USDC base units. See the module comment for the steps.
 *
 * @throws {PolicyViolationError} (4) no allowed offer, a cap, the minimum, or the funding window
 * @throws {InsufficientFundsError} (6) too little USDC and no way to buy it
 *
 * @example
 * ```ts
 * const venice = createVeniceClient({ baseURL, siwx: { signer: wallet.signer, chainId: wallet.chainId } })
 * const r = await topUpX402(wallet, { api: x402TopUpApi(venice), policy, amount: 5_000_000n })
 * r.creditedUsd // 5
 * ```
 */
export async function topUpX402(wallet: Wallet, p: TopUpX402Parameters): Promise<TopUpX402ReturnType> {
  // The x402 client packages are optional peers: missing, the top-up stops here, before any swap or signature.
  await loadX402()
  return withWalletLock(wallet, async () => {
    const journal = await openX402Journal(x402JournalPathOf(wallet.journal.path), wallet.now)
    const resumed = wallet.dryRun ? [] : await settleX402Payments(wallet, journal, p.api)
    // A top-up a crash interrupted and this call completed IS this top-up (as the Diem top-up finishes an
    // interrupted run instead of starting another): paying again would double what was asked for.
    const finished = resumed.find((r) => r.status === 'settled')
    if (finished) return finishedResult(finished, resumed)
    const required = await p.api.getX402TopUpRequirements()
    const offer = selectOffer(p.policy, required.accepts, wallet.chainId)
    const minimum = BigInt(offer.amount)
    if (p.amount < minimum)
      throw new PolicyViolationError(`x402 top-up: ${usd(p.amount)} is below Venice's minimum top-up of ${usd(minimum)}.`, {
        metaMessages: [`Top up at least ${usd(minimum)}.`],
        code: 'X402_BELOW_MINIMUM',
      })
    assertX402Caps(p.policy, { amount: p.amount, spentToday: journal.signedOnDay(wallet.now()) })
    const last = journal.lastSignedAt()
    const nowMs = wallet.now().getTime()
    if (p.cooldownMs && last !== undefined && nowMs - last < p.cooldownMs)
      throw new PolicyViolationError(
        `x402 top-up: one already ran at ${new Date(last).toISOString()}; the funding window allows the next after ${new Date(last + p.cooldownMs).toISOString()}.`,
        { code: 'POLICY_FUNDING_WINDOW' },
      )
    const base = { amount: p.amount, payTo: offer.payTo as Address, asset: offer.asset as Address, network: offer.network, resumed }
    if (wallet.dryRun) return { ...base, status: 'planned', nonce: undefined, transaction: undefined, creditedUsd: undefined, newBalanceUsd: undefined }

    const held = await usdcBalance(wallet, base.asset)
    if (held < p.amount) {
      if (!p.ensureUsdc)
        throw new InsufficientFundsError(`x402 top-up: the wallet holds ${usd(held)}, ${usd(p.amount)} is needed.`, {
          metaMessages: ['Swap ETH to USDC first, or fund the wallet with USDC.'],
        })
      await p.ensureUsdc(wallet, p.amount - held)
    }

    const payment = await journal.start({
      key: `x402:${nowMs}`,
      amount: p.amount.toString(),
      network: offer.network,
      asset: offer.asset,
      payTo: offer.payTo,
      reason: p.reason ?? 'top-up',
    })
    await p.hooks?.afterIntent?.(payment)
    const signed = await signX402Payment(wallet.signer, { x402Version: required.x402Version, offer, amount: p.amount, resourceUrl: p.api.topUpUrl })
    await journal.update(payment, {
      status: 'signed',
      key: `x402:${signed.nonce}`,
      nonce: signed.nonce,
      validBefore: signed.validBefore.toString(),
      signedAt: wallet.now().toISOString(),
      paymentSignature: signed.header,
    })
    await p.hooks?.afterSign?.(payment)
    await submit(wallet, journal, p.api, payment, p.hooks)
    if (payment.status !== 'settled') throw new Error('unreachable: submit settles or throws')
    return {
      ...base,
      status: 'settled',
      nonce: signed.nonce,
      transaction: payment.transaction,
      creditedUsd: payment.creditedUsd,
      newBalanceUsd: payment.newBalanceUsd,
    }
  })
}

function finishedResult(p: X402Payment, resumed: X402Payment[]): TopUpX402ReturnType {
  return {
    status: 'settled',
    amount: BigInt(p.amount),
    payTo: p.payTo as Address,
    asset: p.asset as Address,
    network: p.network,
    nonce: p.nonce as Hex | undefined,
    transaction: p.transaction,
    creditedUsd: p.creditedUsd,
    newBalanceUsd: p.newBalanceUsd,
    resumed,
    finishedEarlier: true,
  }
}

/**
 * Sends a journaled authorization; on success records it settled. On failure, asks the chain: used → settled
 * (the answer was lost, the payment was not); a 4xx refusal → marked refused (not resent, counted until it
 * expires); anything else stays `signed` for the next call to resend. Rethrows unless settled.
 */
async function submit(wallet: Wallet, journal: X402Journal, api: X402TopUpApi, payment: X402Payment, hooks?: X402TopUpHooks): Promise<void> {
  try {
    const r = await api.submitX402TopUp(payment.paymentSignature!)
    await hooks?.afterSubmit?.(payment)
    await journal.update(payment, {
      status: 'settled',
      transaction: r.transaction,
      creditedUsd: r.amountCredited,
      newBalanceUsd: r.newBalance,
      paymentId: r.paymentId,
      settledAt: wallet.now().toISOString(),
    })
  } catch (err) {
    if (await isUsed(wallet, payment)) {
      await journal.update(payment, { status: 'settled', settledAt: wallet.now().toISOString() })
      return
    }
    const status = (err as { status?: unknown }).status
    if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429)
      await journal.update(payment, { refused: `${status}: ${(err as Error & { shortMessage?: string }).shortMessage ?? (err as Error).message}` })
    throw err
  }
}

/**
 * Settles what a crash left: each signed authorization is checked on chain and settled, resent, or dropped;
 * an intent that never got its signature journaled is marked failed (nothing that could pay exists).
 *
 * @returns the payments it changed.
 *
 * @example
 * ```ts
 * const changed = await withWalletLock(wallet, async () => settleX402Payments(wallet, await openX402Journal(path), api))
 * ```
 */
export async function settleX402Payments(wallet: Wallet, journal: X402Journal, api: X402TopUpApi | undefined): Promise<X402Payment[]> {
  const changed: X402Payment[] = []
  for (const payment of journal.payments()) {
    if (payment.status === 'intent') {
      await journal.update(payment, { status: 'failed' })
      changed.push(payment)
      continue
    }
    if (payment.status !== 'signed') continue
    if (await isUsed(wallet, payment)) {
      await journal.update(payment, { status: 'settled', settledAt: wallet.now().toISOString() })
      changed.push(payment)
      continue
    }
    const block = await wallet.publicClient.getBlock({ blockTag: 'latest' })
    if (BigInt(payment.validBefore ?? '0') <= block.timestamp) {
      // EIP-3009 rejects it from now on (block timestamps only grow): it can never pay.
      await journal.update(payment, { status: 'dropped' })
      changed.push(payment)
      continue
    }
    if (payment.refused || !api) continue
    await submit(wallet, journal, api, payment)
    changed.push(payment)
  }
  return changed
}

/** `authorizationState(from, nonce)` on the token: true once the authorization was used (or cancelled). */
async function isUsed(wallet: Wallet, payment: X402Payment): Promise<boolean> {
  if (!payment.nonce) return false
  return wallet.publicClient.readContract({
    address: payment.asset as Address,
    abi: usdcAbi,
    functionName: 'authorizationState',
    args: [wallet.address, payment.nonce as Hex],
  })
}

async function usdcBalance(wallet: Wallet, asset: Address): Promise<bigint> {
  return wallet.publicClient.readContract({ address: asset, abi: erc20Abi, functionName: 'balanceOf', args: [wallet.address] })
}

const usd = (v: bigint) => `${formatUnits(v, USDC_DECIMALS)} USDC`
