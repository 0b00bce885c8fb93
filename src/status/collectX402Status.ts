import type { VeniceClient } from '../venice/createVeniceClient.js'
import type { Wallet } from '../wallet/createWallet.js'
import { openX402Journal, x402JournalPathOf } from '../wallet/x402/x402Journal.js'
import { usdcHeldUsd, x402CreditsFigure, type X402CreditsFigure } from './x402Credits.js'

/** The x402 rail's status: credits at Venice, USDC in the wallet, payments a crash left unfinished. */
export type X402Status = {
  wallet: string
  credits: X402CreditsFigure
  canConsume: boolean
  minimumTopUpUsd: number
  suggestedTopUpUsd: number
  usdcHeld: number | null
  /** Signed authorizations not yet known settled or expired (the next top-up settles them first). */
  unfinishedPayments: { key: string; amount: string; payTo: string; signedAt: string | undefined }[]
}

/**
 * Gathers the x402 rail's status: `/x402/balance` (SIWX), the wallet's USDC, the x402 journal. `gondola status`
 * and `gondola x402 balance` read it.
 *
 * @example
 * ```ts
 * const s = await collectX402Status({ wallet, venice }) // venice: a client with the `siwx` option
 * s.credits?.balanceUsd
 * ```
 */
export async function collectX402Status(src: { wallet: Wallet; venice: VeniceClient; now?: (() => number) | undefined }): Promise<X402Status> {
  const now = src.now ?? Date.now
  const [balance, usdcHeld, journal] = await Promise.all([
    src.venice.getX402Balance(src.wallet.address),
    usdcHeldUsd(src.wallet.publicClient, src.wallet.addresses.usdc, src.wallet.address),
    openX402Journal(x402JournalPathOf(src.wallet.journal.path)),
  ])
  return {
    wallet: src.wallet.address,
    credits: x402CreditsFigure([{ usd: balance.balanceUsd, at: now(), source: 'balance' }]),
    canConsume: balance.canConsume,
    minimumTopUpUsd: balance.minimumTopUpUsd,
    suggestedTopUpUsd: balance.suggestedTopUpUsd,
    usdcHeld,
    unfinishedPayments: journal.unfinished().map((p) => ({ key: p.key, amount: p.amount, payTo: p.payTo, signedAt: p.signedAt })),
  }
}
