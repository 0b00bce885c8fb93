import { formatEther, type Address } from 'viem'
import { ensureStake, type EnsureStakeReturnType } from '../wallet/actions/ensureStake.js'
import type { Wallet } from '../wallet/createWallet.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { AuthenticationError, NotFoundError } from '../venice/errors.js'
import type { KeyStore, KeySummary } from './KeyStore.js'
import { ensureAgentKey } from './ensureAgentKey.js'
import type { FleetAgent } from './fleetSpec.js'
import { z } from 'zod'
import { InvalidKeyRequestError } from './errors.js'
import { limitPeriodSchema, type LimitPeriod, type StoredKey } from './keyStoreSchema.js'
import type { KeyWait } from './mintWeb3Key.js'
import { originOf, provisionApiKey } from './provisionApiKey.js'
import { reconcileAttempts, type ReconcileResult } from './reconcileAttempts.js'

export type ProvisionParameters = {
  wallet: Wallet
  /** Venice API base URL (the emulator's on the devnet). */
  baseURL: string
  store: KeyStore
  /**
   * One limited INFERENCE key per agent: a name (or a `defaulted` entry: no limit given for it), or a name with its
   * own limit and period. An agent without a limit of its own keeps the live key it has, whatever its limits, unless
   * `diemPerAgent` or `limitPeriod` is given: a kept key is never lowered to a default by omission.
   */
  agents: Array<string | FleetAgent>
  /** sVVV to hold (base units); swaps and stakes only what is missing. */
  stakeSvvv: bigint
  /** Diem consumption limit per `limitPeriod` of each agent given without its own; given, it applies to their live keys too. Default (new keys only) 1. */
  diemPerAgent?: number | undefined
  limitPeriod?: LimitPeriod | undefined
  /** Agent keys expire this many days from now (default: never). */
  expiresInDays?: number | undefined
  /** Plan only: simulate transactions, send nothing, mint nothing. */
  dryRun?: boolean | undefined
  fetch?: typeof fetch | undefined
  now?: (() => number) | undefined
  /** How key-creation pacing waits (default: a timer); pass an API clock's `sleep` to wait on Venice's clock. */
  sleep?: ((ms: number) => Promise<void>) | undefined
  /** Called before every wait in the key flow, with how many of this run's keys are minted so far. */
  onWait?: ((wait: KeyWait & { minted: number; toMint: number }) => void) | undefined
}

type KeyOutcome = { status: 'kept' | 'minted' | 'rotated' | 'planned'; key?: KeySummary | undefined }

export type ProvisionReturnType = {
  wallet: Address
  stake: EnsureStakeReturnType
  admin: KeyOutcome
  /** Per agent: `kept` (same limits, still live), `minted`, or `rotated` (limit changed: new key minted, then `revoked` ones revoked). */
  agents: (KeyOutcome & {
    agent: string
    diem: number
    period: LimitPeriod
    revoked: string[]
    previous?: { diem: number | undefined; period: LimitPeriod } | undefined
  })[]
  /** Mints an earlier, interrupted run left in flight: orphans revoked, attempts cleared. */
  reconciled: ReconcileResult
  /** The HTTP requests this run would send (dry run) — what a reviewer checks before going live. */
  plannedRequests: string[]
}

/**
 * The whole bootstrap of a fresh wallet: ensure the stake (under the spend policy), mint and keep an ADMIN
 * key, mint one limited INFERENCE key per agent (each with its own limit when given). Idempotent: a second run
 * sends no transaction and mints nothing; a kept key Venice no longer knows is replaced; an agent whose limit
 * changed gets a new key, and its old one is revoked after the new one is stored.
 *
 * @example
 * ```ts
 * const result = await provision({ wallet, baseURL, store, agents: ['treasurer', { agent: 'bot01', diem: 1.5 }], stakeSvvv: parseEther('100'), diemPerAgent: 1 })
 * result.stake.hashes.length // 3 on a fresh wallet (swap, approve, stake); 0 on the second run
 * ```
 */
export async function provision(p: ProvisionParameters): Promise<ProvisionReturnType> {
  const now = p.now ?? Date.now
  // Everything is validated before the stake: a bad expiry must not fail after the swap went out.
  validateProvision(p)
  const scope = { wallet: p.wallet.address, apiOrigin: originOf(p.baseURL) }
  const stake = await ensureStake(p.wallet, { targetSvvv: p.stakeSvvv })
  const planned: string[] = []
  const mintRequests = (what: string) =>
    planned.push(`GET /api_keys/generate_web3_key`, `POST /api_keys/generate_web3_key (${what})`, `GET /api_keys/{id} (read back)`)
  // The key phase runs under the store's mint lock: a second `provision` on the same state dir waits, then
  // finds the keys this one minted instead of minting its own.
  const { adminOutcome, agents, reconciled } = await p.store.withMintLock(() => provisionKeys(p, scope, now, mintRequests, planned))
  return { wallet: p.wallet.address, stake, admin: adminOutcome, agents, reconciled, plannedRequests: planned }
}

async function provisionKeys(
  p: ProvisionParameters,
  scope: { wallet: string; apiOrigin: string },
  now: () => number,
  mintRequests: (what: string) => void,
  planned: string[],
) {
  let admin = await keptAdmin(p, scope)
  let mintedCount = 0
  const toMint = admin ? p.agents.length : 1 + p.agents.length
  const onWait = p.onWait && ((w: KeyWait) => p.onWait!({ ...w, minted: mintedCount, toMint }))
  let adminOutcome: KeyOutcome
  let reconciled: ReconcileResult = { revoked: [], cleared: [] }
  if (admin) {
    adminOutcome = { status: 'kept', key: summary(p.store, admin.id) }
    // Mints an earlier run left in flight are settled now, even when nothing new is minted.
    if (!p.dryRun && p.store.pendingAttempts(scope).length > 0) {
      reconciled = await reconcileAttempts({
        admin: createVeniceClient({ baseURL: p.baseURL, apiKey: p.store.reveal(admin.id), fetch: p.fetch, maxRetries: 2 }),
        store: p.store,
        ...scope,
      })
    }
  } else if (p.dryRun) {
    mintRequests('ADMIN key')
    adminOutcome = { status: 'planned' }
  } else {
    const minted = await provisionApiKey({
      signer: p.wallet.signer,
      baseURL: p.baseURL,
      store: p.store,
      fetch: p.fetch,
      now,
      sleep: p.sleep,
      onWait,
      apiKeyType: 'ADMIN',
      description: 'gondola admin',
    })
    mintedCount++
    admin = p.store.find(minted.key.id)
    adminOutcome = { status: 'minted', key: minted.key }
    reconciled = minted.reconciled
  }

  const serverIds = admin
    ? new Set(
        (await createVeniceClient({ baseURL: p.baseURL, apiKey: p.store.reveal(admin.id), fetch: p.fetch, maxRetries: 2 }).listApiKeys()).map((k) => k.id),
      )
    : new Set<string>()
  const expiresAt = p.expiresInDays ? new Date(now() + p.expiresInDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z') : undefined
  const agents: ProvisionReturnType['agents'] = []
  for (const entry of p.agents) {
    const e: Partial<FleetAgent> & { agent: string } = typeof entry === 'string' ? { agent: entry, defaulted: true } : entry
    // No limit of its own: an explicit default applies; without one, a live key keeps its limits.
    const spec = { agent: e.agent, diem: e.defaulted ? (p.diemPerAgent ?? e.diem ?? 1) : e.diem!, period: e.period }
    const keepLive = Boolean(e.defaulted) && p.diemPerAgent === undefined && p.limitPeriod === undefined && e.period === undefined
    const period = spec.period ?? p.limitPeriod ?? 'EPOCH'
    const r = await ensureAgentKey({
      signer: p.wallet.signer,
      baseURL: p.baseURL,
      store: p.store,
      fetch: p.fetch,
      now,
      sleep: p.sleep,
      onWait,
      wallet: scope.wallet,
      liveIds: serverIds,
      dryRun: p.dryRun,
      spec: { agent: spec.agent, consumptionLimit: { diem: spec.diem }, limitPeriod: period, keepLive, ...(expiresAt ? { expiresAt } : {}) },
    })
    if (r.status === 'minted' || r.status === 'rotated') mintedCount++
    if (r.status === 'planned') {
      mintRequests(`INFERENCE key for ${spec.agent}, ${spec.diem} Diem per ${period}`)
      for (const id of r.revoked) planned.push(`DELETE /api_keys?id=${id} (${spec.agent}'s key with the old limit, after the new one is stored)`)
    }
    // A kept key is reported with its own limits (which may differ from a default nobody asked for).
    const diem = r.status === 'kept' ? (r.key?.consumptionLimit.diem ?? spec.diem) : spec.diem
    const keptPeriod = r.status === 'kept' ? (r.key?.limitPeriod ?? period) : period
    const previous = r.previous && { diem: r.previous.consumptionLimit.diem ?? undefined, period: r.previous.limitPeriod }
    agents.push({ agent: spec.agent, diem, period: keptPeriod, status: r.status, key: r.key, revoked: r.revoked, ...(previous ? { previous } : {}) })
  }
  return { adminOutcome, agents, reconciled }
}

/** The kept ADMIN key if Venice still knows it; a key Venice rejects is forgotten. */
async function keptAdmin(p: ProvisionParameters, scope: { wallet: string; apiOrigin: string }): Promise<StoredKey | undefined> {
  for (const key of p.store
    .keys('ADMIN')
    .filter((k) => k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
    .reverse()) {
    try {
      await createVeniceClient({ baseURL: p.baseURL, apiKey: p.store.reveal(key.id), fetch: p.fetch, maxRetries: 2 }).getApiKey(key.id)
      return key
    } catch (err) {
      if (!(err instanceof AuthenticationError || err instanceof NotFoundError)) throw err
      if (!p.dryRun) await p.store.remove(key.id)
    }
  }
  return undefined
}

function summary(store: KeyStore, id: string): KeySummary | undefined {
  return store.summaries().find((k) => k.id === id)
}

/** One line per planned or sent transaction for people: `swap 0.1 ETH → VVV`, … */
export function describeStake(stake: EnsureStakeReturnType): string {
  if (stake.status === 'already') return 'stake already at target: no transaction'
  const parts = [
    stake.swap ? `swap ${formatEther(stake.swap.amountIn)} ETH → ${formatEther(stake.swap.amountOut)} VVV` : undefined,
    stake.approved ? 'approve exact VVV allowance' : undefined,
    `stake ${formatEther(stake.staked)} VVV`,
  ]
  return parts.filter(Boolean).join(', ')
}

const agentName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'must be names of letters, digits, "-" and "_"')
const provisionSchema = z.object({
  agents: z.array(z.union([agentName, z.object({ agent: agentName, diem: z.number().gt(0, 'must be greater than 0').lte(9_999_999_999) }).loose()])),
  stakeSvvv: z.bigint().nonnegative(),
  diemPerAgent: z.number().gt(0, 'must be greater than 0').lte(9_999_999_999).optional(),
  limitPeriod: limitPeriodSchema.optional(),
  expiresInDays: z.number().gt(0, 'must be greater than 0').lte(3650, 'must be at most 3650 days').optional(),
})

/** @throws {InvalidKeyRequestError} naming the parameter, before anything is sent. */
function validateProvision(p: ProvisionParameters): void {
  const parsed = provisionSchema.safeParse({
    agents: p.agents,
    stakeSvvv: p.stakeSvvv,
    diemPerAgent: p.diemPerAgent,
    limitPeriod: p.limitPeriod,
    expiresInDays: p.expiresInDays,
  })
  if (parsed.success) return
  const issue = parsed.error.issues[0]!
  throw new InvalidKeyRequestError(`Invalid provision parameter ${issue.path.join('.')}: ${issue.message}.`, {
    code: 'PROVISION_INVALID',
    metaMessages: ['Nothing was sent.'],
  })
}
