import { FIGURE_DECIMALS } from './figures.js'
import { keyFigures, type KeyFigures } from './runway.js'
import { isX402Spend, type SpendEntry } from './spendEntry.js'
import { windowBurn } from './windowBurn.js'

/** Runway on the x402 rail: the wallet's credits, the burn of calls paid from them, and how long that lasts. */
export type X402Runway = KeyFigures & { basis: string }

/** The x402 rail's runways: the wallet's (every agent's x402 calls draw on its one balance) and each agent's. */
export type X402Runways = { wallet: X402Runway; agents: (X402Runway & { agent: string })[] }

/**
 * Runway on the x402 rail. Spendable = the wallet's credits (`x402CreditsFigure`); burn = the ledger's calls paid
 * from them (signed in with SIWX) over the window. The wallet's row counts every agent's calls; each agent's row
 * counts its own, as an agent's `get_runway` does on that rail (a key's Diem runway is counted the same way).
 *
 * @example
 * ```ts
 * const r = x402Runways({ creditsUsd: 4.9961, entries, now: Date.now(), windowMs: 86_400_000 })
 * r.wallet.runwayHours // e.g. 1312.4
 * ```
 */
export function x402Runways(p: { creditsUsd: number | undefined; entries: readonly SpendEntry[]; now: number; windowMs: number }): X402Runways {
  const paid = p.entries.filter(isX402Spend)
  const row = (entries: readonly SpendEntry[]): X402Runway => {
    const burn = windowBurn(entries, p)
    const credits = p.creditsUsd === undefined ? 'credits unknown' : `credits $${Number(p.creditsUsd.toFixed(FIGURE_DECIMALS))}`
    return { ...keyFigures({ spendable: p.creditsUsd, burnPerHour: burn.burnPerHour }), basis: `${credits}, ${burn.calls} x402 call(s) in the window` }
  }
  const agents = [...new Set(paid.map((e) => e.agent))].sort()
  return { wallet: row(paid), agents: agents.map((agent) => ({ agent, ...row(paid.filter((e) => e.agent === agent)) })) }
}
