/**
 * The x402 credits figure: the one place it is computed. Venice reports a wallet's USDC credits two ways — the
 * `/x402/balance` route, and `X-Balance-Remaining` on every SIWX-authenticated response — and the newest report
 * wins. The CLI (`gondola x402 balance`, `gondola status`), the run loop's funding check and the agent's tools all
 * read `x402CreditsFigure` (directly, or through a tracker fed by the client's `onHeaders`).
 */
import { erc20Abi, formatUnits, type Address, type Chain, type PublicClient, type Transport } from 'viem'
import type { VeniceHeaders } from '../venice/headers.js'
import { roundFigure } from './figures.js'

/** One report of the credits: how much, when (ms), and from where. */
export type X402CreditsReport = { usd: number; at: number; source: 'balance' | 'header' }

/** The credits as shown: USD rounded to the printed precision, and which report it came from. */
export type X402CreditsFigure = { balanceUsd: number; at: string; source: 'balance' | 'header' } | null

/**
 * The newest of `reports`, rounded (null when there is none).
 *
 * @example
 * ```ts
 * x402CreditsFigure([{ usd: 5, at: 1, source: 'balance' }, { usd: 4.9987, at: 2, source: 'header' }]) // { balanceUsd: 4.9987, … 'header' }
 * ```
 */
export function x402CreditsFigure(reports: readonly (X402CreditsReport | undefined)[]): X402CreditsFigure {
  let last: X402CreditsReport | undefined
  for (const r of reports) if (r && (!last || r.at >= last.at)) last = r
  return last ? { balanceUsd: roundFigure(last.usd), at: new Date(last.at).toISOString(), source: last.source } : null
}

/**
 * Keeps the newest credits report of one client: pass `observe` as (part of) the client's `onHeaders`, `record` the
 * `/x402/balance` answers, and read `figure()`.
 *
 * @example
 * ```ts
 * const credits = createX402CreditsTracker()
 * const venice = createVeniceClient({ baseURL, siwx, onHeaders: (h) => credits.observe(h) })
 * credits.figure()?.balanceUsd // after a chat call: what X-Balance-Remaining said
 * ```
 */
export function createX402CreditsTracker(now: () => number = Date.now) {
  let last: X402CreditsReport | undefined
  return {
    observe(headers: VeniceHeaders): void {
      if (headers.balanceRemainingUsd !== undefined) last = { usd: headers.balanceRemainingUsd, at: now(), source: 'header' }
    },
    record(balanceUsd: number): void {
      last = { usd: balanceUsd, at: now(), source: 'balance' }
    },
    figure: (): X402CreditsFigure => x402CreditsFigure([last]),
  }
}

/** The wallet's USDC on chain, in USD (6 decimals), rounded like every figure; null without a USDC address. */
export async function usdcHeldUsd(publicClient: PublicClient<Transport, Chain | undefined>, usdc: Address | undefined, owner: Address): Promise<number | null> {
  if (!usdc) return null
  const raw = await publicClient.readContract({ address: usdc, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
  return roundFigure(Number(formatUnits(raw, 6)))
}
