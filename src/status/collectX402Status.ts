import type { VeniceClient } from '../venice/createVeniceClient.js'
import type { Wallet } from '../wallet/createWallet.js'
import { openX402Journal, x402JournalPathOf } from '../wallet/x402/x402Journal.js'
import { DEFAULT_BURN_WINDOW_MS } from './figures.js'
import type { SpendEntry } from './spendEntry.js'
import { usdcHeldUsd, x402CreditsFigure, type X402CreditsFigure } from './x402Credits.js'
import { x402Runways, type X402Runways } from './x402Runway.js'

/** The x402 rail's status: credits at Venice, USDC in the wallet, payments a crash left unfinished. */
export type X402Status = {
  wallet: string
  credits: X402CreditsFigure
  canConsume: boolean
  minimumTopUpUsd: number
  suggestedTopUpUsd: number
  usdcHeld: number | null
  /** The credits' runway at the burn of the ledger's x402 calls (the wallet's, and each agent's). */
  runway: X402Runways
  /** Signed authorizations not yet known settled or expired (the next top-up settles them first). */
  unfinishedPayments: { key: string; amount: string; payTo: string; signedAt: string | undefined }[]
}

/**
 * Gathers the x402 rail's status: `/x402/balance` (SIWX), the wallet's USDC, the x402 journal, and the credits'
 * runway from the spend ledger. `gondola status`, `gondola x402 balance` and MCP read it.
 *
 * @example
 * ```ts
 * const s = await collectX402Status({ wallet, venice, readSpends: () => readLedger(ledgerPath) }) // venice: a client with the `siwx` option
 * s.credits?.balanceUsd
 * s.runway.wallet.runwayHours
 * ```
 */
export async function collectX402Status(src: {
  wallet: Wallet
  venice: VeniceClient
  /** Reads the spend ledger (its SIWX lines are the x402 burn); none: no burn known. */
  readSpends?: (() => Promise<readonly SpendEntry[]>) | undefined
  windowMs?: number | undefined
  now?: (() => number) | undefined
}): Promise<X402Status> {
  const now = src.now ?? Date.now
  const [balance, usdcHeld, journal, entries] = await Promise.all([
    src.venice.getX402Balance(src.wallet.address),
    usdcHeldUsd(src.wallet.publicClient, src.wallet.addresses.usdc, src.wallet.address),
    openX402Journal(x402JournalPathOf(src.wallet.journal.path)),
    src.readSpends ? src.readSpends() : [],
  ])
  const credits = x402CreditsFigure([{ usd: balance.balanceUsd, at: now(), source: 'balance' }])
  return {
    wallet: src.wallet.address,
    credits,
    canConsume: balance.canConsume,
    minimumTopUpUsd: balance.minimumTopUpUsd,
    suggestedTopUpUsd: balance.suggestedTopUpUsd,
    usdcHeld,
    runway: x402Runways({ creditsUsd: balance.balanceUsd, entries, now: now(), windowMs: src.windowMs ?? DEFAULT_BURN_WINDOW_MS }),
    unfinishedPayments: journal.unfinished().map((p) => ({ key: p.key, amount: p.amount, payTo: p.payTo, signedAt: p.signedAt })),
  }
}
