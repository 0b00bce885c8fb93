import type { KeySummary } from '../keys/KeyStore.js'
import type { ApiKey, RateLimits } from '../venice/schemas.js'
import { FIGURE_DECIMALS } from './figures.js'
import { keyFigures, type KeyFigures } from './runway.js'
import { keyLimitLeft, spendableOf } from './spendable.js'
import { isX402Spend, type SpendEntry } from './spendEntry.js'
import { windowBurn } from './windowBurn.js'

/** Runway of one agent key: what it can still spend, how fast it has been spending, and how long that lasts. */
export type KeyRunway = KeyFigures & { agent: string; keyId: string; basis: string }

/** Inputs of `keyRunways`: plain values, read by the caller (`collectStatus`, MCP). */
export type KeyRunwaysParameters = {
  /** Kept keys of this wallet and API (summaries: no secrets). Only agents' INFERENCE keys get a runway. */
  keys: readonly KeySummary[]
  /** `GET /api_keys` (each key's limit and current-period usage); `undefined` without an ADMIN key. */
  server: readonly ApiKey[] | undefined
  /** `/api_keys/rate_limits` (the account's balances); `undefined` without an ADMIN key. */
  limits: RateLimits | undefined
  /** The spend ledger (any order of agents; entries in time order). */
  entries: readonly SpendEntry[]
  now: number
  windowMs: number
}

/**
 * Runway per agent key. Spendable = min(what the key's own Diem limit leaves this period (`GET /api_keys`), the
 * account's Diem + USD (`/api_keys/rate_limits`)); burn = the agent's ledger spend over the window (`burnPerHour`);
 * runway = spendable / burn.
 *
 * @example
 * ```ts
 * keyRunways({ keys, server: await admin.listApiKeys(), limits: await admin.getRateLimits(), entries, now: Date.now(), windowMs: 86_400_000 })
 * // [{ agent: 'treasurer', keyId: '…', spendable: 0.4985, burnPerHour: 0.0015, runwayHours: 332.333333, state: 'draining', basis: '…' }]
 * ```
 */
export function keyRunways(p: KeyRunwaysParameters): KeyRunway[] {
  const account = p.limits ? (p.limits.balances.DIEM ?? 0) + (p.limits.balances.USD ?? 0) : undefined
  return p.keys
    .filter((k) => k.apiKeyType === 'INFERENCE' && k.agent)
    .map((k) => {
      const live = p.server?.find((s) => s.id === k.id)
      const used = live?.currentPeriodUsage ? Number(live.currentPeriodUsage.diem) : undefined
      const keyLeft = keyLimitLeft({ limit: live?.consumptionLimits.diem ?? k.consumptionLimit.diem, used })
      // The key's own calls: a call the agent made signed in with SIWX was paid from x402 credits, not this account.
      const burn = windowBurn(
        p.entries.filter((e) => e.agent === k.agent && !isX402Spend(e)),
        p,
      )
      const basis = [
        keyLeft !== undefined ? `key limit left ${fixed(keyLeft)} Diem` : '',
        account !== undefined ? `account ${fixed(account)}` : '',
        `${burn.calls} call(s) in the window`,
      ]
        .filter(Boolean)
        .join(', ')
      return { agent: k.agent!, keyId: k.id, ...keyFigures({ spendable: spendableOf({ account, keyLeft }), burnPerHour: burn.burnPerHour }), basis }
    })
}

const fixed = (n: number) => String(Number(n.toFixed(FIGURE_DECIMALS)))
