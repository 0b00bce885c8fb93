/**
 * Settles the calls a killed bot left in flight, from Venice's own billing ledger (`/billing/usage-history`).
 *
 * Billing entries belong to the account, not to a key or a bot, so a lost call can only be found by what the bot
 * wrote before sending it (`inflight.ts`): its time and kind. For each marker left behind, the earliest billed
 * request at or after that time, of that kind, that no ledger line already holds, is taken as the call and
 * recorded in the spend ledger once: the line carries the billed request's id (`completionId`) and the marker's id
 * (`requestId: inflight:<id>`), so a second pass (or a pass killed half-way) never counts it again.
 *
 * Assumes, as the rest of the bot does, that this bot's ledger sees the account's other spending (the ledger
 * file is shared by the state dir's agents) and that Venice's clock is within `CLOCK_SKEW_MS` of this machine's.
 */
import type { LedgerEntry } from '../agent/ledger.js'
import type { BillingEntry } from '../venice/schemas.js'
import type { InflightMarker, InflightStore } from './inflight.js'

/** How far Venice's timestamps may be from this machine's clock. */
export const CLOCK_SKEW_MS = 30_000
/** How long a call may still be in Venice's hands (the SDK's request timeout, retries aside): an unbilled marker older than this was never billed. */
export const INFLIGHT_MAX_MS = 15 * 60_000

/** One billed request: its billing rows (Diem and USD, input and output) summed. */
type Billed = { id: string; at: number; llm: boolean; costDiem: number; costUsd: number; promptTokens: number; completionTokens: number }

/** What a reconciliation pass did. */
export type ReconcileResult = {
  /** Markers settled from billing, each with the ledger line written for it. */
  settled: { marker: InflightMarker; entry: LedgerEntry }[]
  /** Markers whose call was never billed (older than `INFLIGHT_MAX_MS`, nothing found) or was already recorded. */
  dropped: InflightMarker[]
  /** Markers still open (billing unreachable, or the call may still be in Venice's hands): count their estimate. */
  pending: InflightMarker[]
}

/** Billing rows grouped into requests: by request id, or (no inference details: an image) by timestamp and SKU. */
export function billedRequests(rows: readonly BillingEntry[]): Billed[] {
  const byId = new Map<string, Billed>()
  for (const r of rows) {
    const id = r.inferenceDetails?.requestId ?? `${r.timestamp} ${r.sku}`
    const b = byId.get(id) ?? {
      id,
      at: Date.parse(r.timestamp),
      llm: r.inferenceDetails !== null,
      costDiem: 0,
      costUsd: 0,
      promptTokens: 0,
      completionTokens: 0,
    }
    const charged = Math.max(0, -r.amount)
    if (r.currency === 'DIEM') b.costDiem += charged
    else b.costUsd += charged
    b.promptTokens = Math.max(b.promptTokens, r.inferenceDetails?.promptTokens ?? 0)
    b.completionTokens = Math.max(b.completionTokens, r.inferenceDetails?.completionTokens ?? 0)
    byId.set(id, b)
  }
  return [...byId.values()].sort((a, b) => a.at - b.at)
}

/**
 * One reconciliation pass over the markers left in `inflight`.
 *
 * @param o.readBilling - the account's billing rows since a time (ms); undefined when no ADMIN key is kept (the markers stay pending).
 * @param o.recorded - ledger lines since a time (ms): what is already counted.
 * @param o.record - writes one ledger line and resolves once it is on disk.
 * @example
 * ```ts
 * const r = await reconcileInflight({ agent: 'social-bot', inflight, readBilling: host.readBilling, recorded, record, now: Date.now })
 * r.settled.length // calls a kill left unrecorded, now in the ledger
 * ```
 */
export async function reconcileInflight(o: {
  agent: string
  inflight: InflightStore
  readBilling: ((since: number) => Promise<BillingEntry[]>) | undefined
  recorded: (since: number) => Promise<readonly LedgerEntry[]>
  record: (entry: LedgerEntry) => Promise<void>
  now: () => number
  /** Markers of calls this process still has in flight (their lines are yet to come): left alone. */
  live?: ReadonlySet<string> | undefined
}): Promise<ReconcileResult> {
  const markers = (await o.inflight.load()).filter((m) => !o.live?.has(m.id))
  const result: ReconcileResult = { settled: [], dropped: [], pending: [] }
  if (!markers.length) return result
  if (!o.readBilling) return { ...result, pending: markers }
  const since = Math.min(...markers.map((m) => m.at)) - CLOCK_SKEW_MS
  // A line's time is this machine's, a billed row's Venice's: the lines are read from one skew earlier.
  const [rows, lines] = await Promise.all([o.readBilling(since), o.recorded(since - CLOCK_SKEW_MS)])
  const claimed = new Set(lines.map((l) => l.completionId).filter((id): id is string => id !== undefined))
  const settledMarkers = new Set(lines.map((l) => l.requestId).filter((id): id is string => id?.startsWith('inflight:') === true))
  const billed = billedRequests(rows)
  for (const marker of markers) {
    if (settledMarkers.has(`inflight:${marker.id}`)) {
      // Recorded by a pass that was killed before it could remove the marker.
      await o.inflight.remove(marker.id)
      result.dropped.push(marker)
      continue
    }
    const call = billed.find((b) => !claimed.has(b.id) && b.llm === (marker.kind === 'chat') && b.at >= marker.at - CLOCK_SKEW_MS)
    if (!call) {
      if (o.now() - marker.at > INFLIGHT_MAX_MS) {
        await o.inflight.remove(marker.id)
        result.dropped.push(marker)
      } else result.pending.push(marker)
      continue
    }
    claimed.add(call.id)
    const entry: LedgerEntry = {
      ts: new Date(marker.at).toISOString(),
      agent: o.agent,
      key: undefined,
      model: marker.model,
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      costDiem: call.costDiem,
      costUsd: call.costUsd,
      balanceDiemBefore: undefined,
      balanceDiemAfter: undefined,
      balanceUsdBefore: undefined,
      balanceUsdAfter: undefined,
      requestId: `inflight:${marker.id}`,
      completionId: call.id,
    }
    // The line first, then the marker: killed in between, the next pass finds the line and only removes the marker.
    await o.record(entry)
    await o.inflight.remove(marker.id)
    result.settled.push({ marker, entry })
  }
  return result
}
