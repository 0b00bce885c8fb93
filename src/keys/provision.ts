import { formatEther, type Address } from 'viem'
import { ensureStake, type EnsureStakeReturnType } from '../wallet/actions/ensureStake.js'
import type { Wallet } from '../wallet/createWallet.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { AuthenticationError, NotFoundError } from '../venice/errors.js'
import type { KeyStore, KeySummary } from './KeyStore.js'
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
  /** One limited INFERENCE key per agent name. */
  agents: string[]
  /** sVVV to hold (base units); swaps and stakes only what is missing. */
  stakeSvvv: bigint
  /** Each agent key's Diem consumption limit per `limitPeriod`. */
  diemPerAgent: number
  limitPeriod?: LimitPeriod | undefined
  /** Agent keys expire this many days from now (default: never). */
  expiresInDays?: number | undefined
  /** Plan only: simulate transactions, send nothing, mint nothing. */
  dryRun?: boolean | undefined
  fetch?: typeof fetch | undefined
  now?: (() => number) | undefined
  sleep?: ((ms: number) => Promise<void>) | undefined
  /** Called before every wait in the key flow, with how many of this run's keys are minted so far. */
  onWait?: ((wait: KeyWait & { minted: number; toMint: number }) => void) | undefined
}

type KeyOutcome = { status: 'kept' | 'minted' | 'planned'; key?: KeySummary | undefined }

export type ProvisionReturnType = {
  wallet: Address
  stake: EnsureStakeReturnType
  admin: KeyOutcome
  agents: (KeyOutcome & { agent: string })[]
  /** Mints an earlier, interrupted run left in flight: orphans revoked, attempts cleared. */
  reconciled: ReconcileResult
  /** The HTTP requests this run would send (dry run) — what a reviewer checks before going live. */
  plannedRequests: string[]
}

/**
 * The whole bootstrap of a fresh wallet: ensure the stake (under the spend policy), mint and keep an ADMIN
 * key, mint one limited INFERENCE key per agent. Idempotent: a second run sends no transaction and mints
 * nothing; a kept key Venice no longer knows is replaced.
 *
 * @example
 * ```ts
 * const result = await provision({ wallet, baseURL, store, agents: ['treasurer'], stakeSvvv: parseEther('100'), diemPerAgent: 1 })
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
  const mintRequests = (what: string) => planned.push(`GET /api_keys/generate_web3_key`, `POST /api_keys/generate_web3_key (${what})`, `GET /api_keys/{id} (read back)`)

  // The key phase runs under the store's mint lock: a second `provision` on the same state dir waits, then
  // finds the keys this one minted instead of minting its own.
  const { adminOutcome, agents, reconciled } = await p.store.withMintLock(() => provisionKeys(p, scope, now, mintRequests))
  return { wallet: p.wallet.address, stake, admin: adminOutcome, agents, reconciled, plannedRequests: planned }
}

async function provisionKeys(p: ProvisionParameters, scope: { wallet: string; apiOrigin: string }, now: () => number, mintRequests: (what: string) => void) {
  let admin = await keptAdmin(p, scope)
  let mintedCount = 0
  // Without a kept ADMIN key every agent key is minted after the ADMIN key.
  let toMint = admin ? 0 : 1 + p.agents.length
  const onWait = p.onWait && ((w: KeyWait) => p.onWait!({ ...w, minted: mintedCount, toMint }))
  let adminOutcome: KeyOutcome
  let reconciled: ReconcileResult = { revoked: [], cleared: [] }
  if (admin) {
    adminOutcome = { status: 'kept', key: summary(p.store, admin.id) }
    // Mints an earlier run left in flight are settled now, even when nothing new is minted.
    if (!p.dryRun && p.store.pendingAttempts(scope).length > 0) {
      reconciled = await reconcileAttempts({ admin: createVeniceClient({ baseURL: p.baseURL, apiKey: p.store.reveal(admin.id), fetch: p.fetch, maxRetries: 2 }), store: p.store, ...scope })
    }
  } else if (p.dryRun) {
    mintRequests('ADMIN key')
    adminOutcome = { status: 'planned' }
  } else {
    const minted = await provisionApiKey({ signer: p.wallet.signer, baseURL: p.baseURL, store: p.store, fetch: p.fetch, now, sleep: p.sleep, onWait, apiKeyType: 'ADMIN', description: 'gondola admin' })
    mintedCount++
    admin = p.store.find(minted.key.id)
    adminOutcome = { status: 'minted', key: minted.key }
    reconciled = minted.reconciled
  }

  const serverIds = admin ? new Set((await createVeniceClient({ baseURL: p.baseURL, apiKey: p.store.reveal(admin.id), fetch: p.fetch, maxRetries: 2 }).listApiKeys()).map((k) => k.id)) : new Set<string>()
  const expiresAt = p.expiresInDays ? new Date(now() + p.expiresInDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z') : undefined
  const agents: ProvisionReturnType['agents'] = []
  const keptFor = (agent: string) =>
    p.store
      .keys('INFERENCE')
      .filter((k) => k.agent === agent && k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
      .find((k) => serverIds.has(k.id) && (!k.expiresAt || Date.parse(k.expiresAt) > now()) && k.consumptionLimit.diem === p.diemPerAgent)
  toMint = mintedCount + p.agents.filter((a) => !keptFor(a)).length
  for (const agent of p.agents) {
    const kept = keptFor(agent)
    if (kept) {
      agents.push({ agent, status: 'kept', key: summary(p.store, kept.id) })
      continue
    }
    if (p.dryRun) {
      mintRequests(`INFERENCE key for ${agent}, ${p.diemPerAgent} Diem per ${p.limitPeriod ?? 'EPOCH'}`)
      agents.push({ agent, status: 'planned' })
      continue
    }
    const minted = await provisionApiKey({
      signer: p.wallet.signer,
      baseURL: p.baseURL,
      store: p.store,
      fetch: p.fetch,
      now,
      sleep: p.sleep,
      onWait,
      agent,
      apiKeyType: 'INFERENCE',
      description: `agent ${agent}`.slice(0, 40),
      consumptionLimit: { diem: p.diemPerAgent },
      limitPeriod: p.limitPeriod ?? 'EPOCH',
      ...(expiresAt ? { expiresAt } : {}),
    })
    mintedCount++
    reconciled = { revoked: [...reconciled.revoked, ...minted.reconciled.revoked], cleared: [...reconciled.cleared, ...minted.reconciled.cleared] }
    agents.push({ agent, status: 'minted', key: minted.key })
  }
  return { adminOutcome, agents, reconciled }
}

/** The kept ADMIN key if Venice still knows it; a key Venice rejects is forgotten. */
async function keptAdmin(p: ProvisionParameters, scope: { wallet: string; apiOrigin: string }): Promise<StoredKey | undefined> {
  for (const key of p.store.keys('ADMIN').filter((k) => k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin).reverse()) {
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
  const parts = [stake.swap ? `swap ${formatEther(stake.swap.amountIn)} ETH → ${formatEther(stake.swap.amountOut)} VVV` : undefined, stake.approved ? 'approve exact VVV allowance' : undefined, `stake ${formatEther(stake.staked)} VVV`]
  return parts.filter(Boolean).join(', ')
}

const provisionSchema = z.object({
  agents: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be names of lowercase letters, digits and dashes')).min(1, 'must name at least one agent'),
  stakeSvvv: z.bigint().nonnegative(),
  diemPerAgent: z.number().gt(0, 'must be greater than 0').lte(9_999_999_999),
  limitPeriod: limitPeriodSchema.optional(),
  expiresInDays: z.number().gt(0, 'must be greater than 0').lte(3650, 'must be at most 3650 days').optional(),
})

/** @throws {InvalidKeyRequestError} naming the parameter, before anything is sent. */
function validateProvision(p: ProvisionParameters): void {
  const parsed = provisionSchema.safeParse({ agents: p.agents, stakeSvvv: p.stakeSvvv, diemPerAgent: p.diemPerAgent, limitPeriod: p.limitPeriod, expiresInDays: p.expiresInDays })
  if (parsed.success) return
  const issue = parsed.error.issues[0]!
  throw new InvalidKeyRequestError(`Invalid provision parameter ${issue.path.join('.')}: ${issue.message}.`, { code: 'PROVISION_INVALID', metaMessages: ['Nothing was sent.'] })
}
