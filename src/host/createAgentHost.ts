import type { AgentDefinition } from '../agent/defineAgent.js'
import { resolveTools, systemPromptOf } from '../agent/defineAgent.js'
import type { FundingOutcome, TopUpRequest } from '../agent/funding.js'
import { fundingPolicy, type FundingPolicy } from '../agent/fundingPolicy.js'
import { createLedger, readLedger, type Ledger, type LedgerEntry } from '../agent/ledger.js'
import type { LimiterClock } from '../agent/rateLimiter.js'
import type { RunResult } from '../agent/runAgent.js'
import { createRunner, type LimiterFactory, type RotatedKey, type Runner } from '../agent/runner.js'
import { accountFailureBudget, type FailureBudget } from '../agent/failureBudget.js'
import type { BalanceMonitorOptions } from '../agent/balanceMonitor.js'
import { BaseError } from '../errors/BaseError.js'
import type { KeyStore } from '../keys/KeyStore.js'
import { originOf, storedAdminKey } from '../keys/provisionApiKey.js'
import { rotateApiKey } from '../keys/rotateApiKey.js'
import type { StoredKey } from '../keys/keyStoreSchema.js'
import type { ApiKey, RateLimits } from '../venice/schemas.js'
import type { AnyTool } from '../tools/defineTool.js'
import { createVeniceClient, listAllBillingUsage } from '../venice/createVeniceClient.js'
import type { TopUpReturnType } from '../wallet/actions/topUp.js'
import type { AutopilotProvider } from '../autopilot/tools.js'
import type { Wallet } from '../wallet/createWallet.js'
import type { Logger } from '../util/logger.js'
import { FundingFailedError, FundingRefusedError } from './fundingErrors.js'
import { registerUrlSecrets } from '../util/redact.js'
import { builtinToolFactories, type RemoteTopUp, type ToolFactory } from './hostTools.js'
import { createWalletTopUp } from './walletTopUp.js'
import { fileRunHistory, type RunHistory } from './runHistory.js'

/** No INFERENCE key is kept for an agent: provision first. */
export class MissingAgentKeyError extends BaseError {
  override name = 'MissingAgentKeyError' as const
}

/** What the host reports as it works (the demo and `gondola run` print these). */
export type HostEvent =
  | { type: 'topUp'; reason: string; result: TopUpReturnType }
  | { type: 'funding'; agent: string; outcome: FundingOutcome; request: TopUpRequest }
  | { type: 'rotated'; agent: string; reason: string; newKeyId: string }

/**
 * Where a host keeps its state: files by default (or memory, when no path is given), Postgres-backed parts in
 * fleet mode (`createStateStores`). Every field is optional.
 */
export type HostState = {
  /** JSONL spend ledger; in memory only when omitted. */
  ledgerPath?: string | undefined
  /** JSONL run history (status, steps, tool errors, cost per run); none when omitted. */
  runsPath?: string | undefined
  /** The spend ledger to write to (fleet mode: one backed by Postgres); default `createLedger({ path: ledgerPath })`. */
  ledger?: Ledger | undefined
  /**
   * Reads back what the ledger holds since a time, across restarts and processes (fleet mode: Postgres). Default:
   * the `ledgerPath` file, else this process's entries. A social bot's daily budget is counted from it.
   */
  readLedger?: ((query: LedgerQuery) => Promise<readonly LedgerEntry[]>) | undefined
  /** Where finished runs are recorded (fleet mode: Postgres, by run id); default the JSONL file at `runsPath`. */
  runHistory?: RunHistory | undefined
  /** The account's failure budget (fleet mode: `createPgFailureBudget`); default this process's one for the wallet. */
  failureBudget?: FailureBudget | undefined
  /** Limiter per key and model (fleet mode: `pgLimiterFactory`, one budget per key across workers); default in-process. */
  createLimiter?: LimiterFactory | undefined
}

export type AgentHostOptions = {
  wallet: Wallet
  store: KeyStore
  /** Venice API base URL. */
  baseURL: string
  /** Where media and social posts go (`outbox.jsonl`, `images/`, `audio/`). */
  outboxDir: string
  /** Ledger, run history, failure budget and limiters: files by default, Postgres in fleet mode. */
  state?: HostState | undefined
  /**
   * Self-funding, passed whole (validated here): top up (under the spend policy) when the runway falls below
   * `minRunwayHours` — the one runway threshold — at most once per `cooldownMs` for the wallet. See `fundingPolicyFromEnv`.
   */
  funding: FundingPolicy
  /** Balance monitor tuning (critical level, burn window); its `low` threshold is `funding.minRunwayHours`. */
  monitor?: Omit<BalanceMonitorOptions, 'fetchRateLimits' | 'now' | 'keyExpiresAt' | 'lowRunwayHours'> | undefined
  /** A key at its own consumption limit: `stop` the run (default: limits are the point) or `rotate` to a fresh key. */
  onKeyLimit?: 'stop' | 'rotate' | undefined
  /** Image model for `generate_image` (default: Venice's default image model trait). */
  imageModel?: string | undefined
  /** The configured Diem autopilot, for the `autopilot_plan` / `autopilot_apply` tools (resolved on first use). */
  autopilot?: AutopilotProvider | undefined
  /**
   * Fleet agent workers: every top-up (automatic or asked by the model) is sent to the treasury instead of being
   * signed with `wallet`, which then only reads (it holds no private key).
   */
  remoteTopUp?: RemoteTopUp | undefined
  /**
   * Where balances and limits are read when this host holds no ADMIN key (fleet agent workers: the treasury's
   * last answer). Without an ADMIN key and without this, the runner would ask `/api_keys/rate_limits` with an
   * agent's INFERENCE key, an ADMIN route: a 401 that counts toward the account's failed-request breaker.
   */
  readRateLimits?: (() => Promise<RateLimits>) | undefined
  /** Extra tools by name, next to the built-ins. */
  tools?: Record<string, ToolFactory> | undefined
  clock?: LimiterClock | undefined
  fetch?: typeof fetch | undefined
  /** Retries, refresh failures and funding decisions at `debug`/`warn` (secrets redacted). */
  logger?: Logger | undefined
  onEvent?: ((event: HostEvent) => void) | undefined
}

export type AgentRunOverrides = {
  prompt?: string | undefined
  maxSteps?: number | undefined
  budgetDiem?: number | undefined
  signal?: AbortSignal | undefined
  /** The run's id (a queued run's job id): the run history records a retried run once. */
  runId?: string | undefined
}

/**
 * Hosts agents for one wallet: each agent runs on its own limited INFERENCE key from the key store, shares the
 * runner's limiter/monitor/ledger, and is funded by the wallet's top-up under the spend policy. The ADMIN key
 * stays here (balance refresh, rotation); agents and models never see it.
 *
 * @example
 * ```ts
 * const host = createAgentHost({ wallet, store, baseURL, outboxDir: '.gondola/outbox', funding: fundingPolicyFromEnv(readEnv(), treasurer.funding) })
 * const result = await host.run(treasurer, { prompt: 'How long can we keep running?' })
 * host.close()
 * ```
 */
export function createAgentHost(options: AgentHostOptions) {
  const funding = fundingPolicy(options.funding, 'createAgentHost: funding')
  const state = options.state ?? {}
  const scope = { wallet: options.wallet.address, apiOrigin: originOf(options.baseURL) }
  // Keys inside the wallet's RPC URL never reach a model, a log line or a run result.
  registerUrlSecrets((options.wallet.publicClient.transport as { url?: string }).url)
  const agentKeys = latestAgentKeys(options.store, scope)
  if (agentKeys.size === 0)
    throw new MissingAgentKeyError('No agent keys are kept for this wallet and API.', { metaMessages: ['Run: gondola provision --agents <name,…>'] })
  const adminKey = storedAdminKey(options.store, scope)
  const now = options.clock?.now ?? Date.now
  // Every key of this wallet (agents' and the ADMIN key) spends one failure budget: Venice's breaker is per account.
  const failureBudget = state.failureBudget ?? accountFailureBudget(options.wallet.address)
  const admin = adminKey
    ? createVeniceClient({
        baseURL: options.baseURL,
        apiKey: adminKey,
        fetch: options.fetch,
        onHeaders: (_h, status) => void (status >= 400 && failureBudget.record(now())),
      })
    : undefined
  // One `GET /api_keys` serves every agent's refresh within a few seconds, unless the agent has spent since it was
  // read (its usage there would be stale: `get_runway` must say what `gondola status` says).
  let listing: { at: number; keys: Promise<ApiKey[]> } | undefined
  const spentAt = new Map<string, number>()
  const listKeys = (agent?: string): Promise<ApiKey[]> => {
    if (!listing || now() - listing.at > 5_000 || listing.at <= (agent === undefined ? -Infinity : (spentAt.get(agent) ?? -Infinity))) {
      const keys = admin!.listApiKeys()
      listing = { at: now(), keys }
      keys.catch(() => (listing = undefined))
    }
    return listing.keys
  }
  const ledger: Ledger = state.ledger ?? createLedger({ path: state.ledgerPath })
  const readBack =
    state.readLedger ??
    (async (q: LedgerQuery): Promise<readonly LedgerEntry[]> => {
      const all = state.ledgerPath ? await readLedger(state.ledgerPath) : ledger.entries()
      return all.filter((e) => e.agent === q.agent && Date.parse(e.ts) >= q.since)
    })
  const runHistory = state.runHistory ?? (state.runsPath ? fileRunHistory(state.runsPath) : undefined)
  const factories = { ...builtinToolFactories, ...options.tools }
  const log = options.logger?.child({ component: 'host' })
  const emit = (event: HostEvent) => {
    log?.debug(event.type, { agent: 'agent' in event ? event.agent : undefined, reason: 'reason' in event ? event.reason : undefined })
    options.onEvent?.(event)
  }

  // Funding problems seen while a run of an agent is in flight: the run's result carries them.
  type FundingSink = { failures: BaseError[]; refusals: string[] }
  const sinks = new Map<string, Set<FundingSink>>()
  const sinksOf = (agent: string) => sinks.get(agent) ?? new Set<FundingSink>()

  const runner: Runner = createRunner({
    baseURL: options.baseURL,
    keys: [...agentKeys.entries()].map(([agent, k]) => ({
      name: agent,
      apiKey: options.store.reveal(k.id),
      expiresAt: k.expiresAt,
      consumptionLimit: k.consumptionLimit,
      limitPeriod: k.limitPeriod,
    })),
    failureBudget,
    createLimiter: state.createLimiter,
    ledger,
    // Each key's burn starts from the ledger, so `get_runway` in a new process says what `gondola status` says.
    readSpends: (agent, since) => readBack({ agent, since }),
    fetch: options.fetch,
    logger: options.logger?.child({ component: 'venice' }),
    clock: options.clock,
    monitor: options.monitor,
    // The funding window is enforced once, by the wallet's top-up (or the treasury's, for a remote one).
    // A key-authenticated host tops up on the Diem rail, the rail its key spends: the rail (funding.rail, --pay)
    // is chosen before a host is built (decideRunRail in src/runtime/runRail.ts); x402 runs use createX402Host.
    topUp: options.remoteTopUp
      ? (request) => options.remoteTopUp!({ eth: funding.ethPerTopUp, reason: request.reason })
      : createWalletTopUp({ wallet: options.wallet, policy: funding, onTopUp: (result, reason) => emit({ type: 'topUp', reason, result }) }),
    funding,
    // Report what the self-funding path decided, for every agent key.
    onFundingOutcome: (agent, outcome, request) => {
      for (const sink of sinksOf(agent)) {
        if (outcome.action === 'failed') sink.failures.push(outcome.cause ?? new FundingFailedError(outcome.error))
        if (outcome.action === 'refused') sink.refusals.push(outcome.refusal)
      }
      emit({ type: 'funding', agent, outcome, request })
    },
    // Balances from every response's headers; `/api_keys/rate_limits` (ADMIN) every 5 minutes and at epoch change.
    // Each agent key's expiry, limits and period-usage come from its own `GET /api_keys` record, never from the ADMIN key's.
    ...(admin && {
      fetchRateLimits: () => admin.getRateLimits(),
      refreshMs: 300_000,
      fetchKeyRecord: async (name: string) => {
        const current = latestAgentKeys(options.store, scope).get(name)
        if (!current) return undefined
        const record = (await listKeys(name)).find((k) => k.id === current.id)
        if (!record) log?.warn('host: agent key is not listed by Venice', { agent: name, keyId: current.id })
        return record
      },
    }),
    ...(!admin && options.readRateLimits && { fetchRateLimits: options.readRateLimits }),
    rotateKey: async ({ name, reason, install }): Promise<RotatedKey> => {
      if (reason === 'limit' && options.onKeyLimit !== 'rotate') return undefined
      const current = latestAgentKeys(options.store, scope).get(name)
      if (!current) return undefined
      listing = undefined
      const next = await rotateApiKey({
        store: options.store,
        baseURL: options.baseURL,
        signer: options.wallet.signer,
        id: current.id,
        fetch: options.fetch,
        now,
        // The agents switch to the new key before the old one is revoked.
        onMinted: (minted) => install({ apiKey: minted.reveal(), expiresAt: minted.key.expiresAt }),
      })
      emit({ type: 'rotated', agent: name, reason, newKeyId: next.key.id })
      return { apiKey: next.reveal(), expiresAt: next.key.expiresAt }
    },
  })

  for (const services of runner.keys()) {
    services.monitor.on('refreshError', ({ error }) =>
      log?.warn('balance refresh failed', { agent: services.name, error: error instanceof Error ? error.message : String(error) }),
    )
  }

  function toolsFor(def: AgentDefinition, sink: FundingSink): AnyTool[] {
    const services = runner.key(def.name)
    if (!services)
      throw new MissingAgentKeyError(`No INFERENCE key is kept for agent "${def.name}".`, { metaMessages: [`Run: gondola provision --agents ${def.name}`] })
    const deps = {
      wallet: options.wallet,
      services,
      outboxDir: options.outboxDir,
      funding,
      imageModel: options.imageModel ?? 'default',
      onFundingFailure: (err: BaseError) => void sink.failures.push(err),
      autopilot: options.autopilot,
      remoteTopUp: options.remoteTopUp,
    }
    const registry = new Map(
      Object.entries(factories)
        .filter(([name]) => def.tools.includes(name))
        .map(([name, make]) => [name, make(deps)]),
    )
    return resolveTools(def, registry)
  }

  return {
    runner,
    ledger,
    /** Where media and posts go, and the ledger file (when one is kept): what a social bot built on this host uses. */
    outboxDir: options.outboxDir,
    ledgerPath: state.ledgerPath,
    /** The ledger's lines for one agent since a time (ms), read back from where they are kept (flush first). */
    readLedger: readBack,
    /**
     * The account's billing rows since a time (ms), read with the ADMIN key, which stays here (undefined when none
     * is kept). A social bot settles from it the calls a kill left unrecorded.
     */
    readBilling: admin ? (since: number) => listAllBillingUsage(admin, { startTimestamp: new Date(since).toISOString() }) : undefined,
    agents: (): string[] => [...agentKeys.keys()],
    /**
     * Runs one agent definition once. A top-up that failed during the run (requested by the model or automatic),
     * or an automatic one the policy refused when the run needed it, is in `result.fundingError`.
     */
    async run(def: AgentDefinition, o: AgentRunOverrides = {}): Promise<RunResult> {
      const sink: FundingSink = { failures: [], refusals: [] }
      const tools = toolsFor(def, sink)
      const prompt = o.prompt ?? def.prompt
      if (!prompt) throw new MissingAgentKeyError(`Agent "${def.name}" has no default prompt: pass one (--prompt).`)
      if (!sinks.has(def.name)) sinks.set(def.name, new Set())
      sinks.get(def.name)!.add(sink)
      try {
        const result = await runOnce(def, prompt, tools, o)
        const refused =
          result.status === 'insufficient_balance' && sink.refusals.length
            ? new FundingRefusedError(`The run needed a top-up and the policy refused it: ${sink.refusals.at(-1)}`, { code: 'FUNDING_REFUSED' })
            : undefined
        const fundingError = sink.failures.at(-1) ?? refused
        const final = fundingError ? { ...result, fundingError } : result
        if (runHistory) {
          await runHistory
            .append(def.name, final, { runId: o.runId })
            .catch((error: unknown) => log?.warn('host: run history not written', { error: error instanceof Error ? error.message : String(error) }))
        }
        return final
      } finally {
        sinks.get(def.name)?.delete(sink)
        spentAt.set(def.name, now())
      }
    },
    close(): void {
      runner.close()
    },
  }

  function runOnce(def: AgentDefinition, prompt: string, tools: AnyTool[], o: AgentRunOverrides): Promise<RunResult> {
    return runner.run({
      agent: def.name,
      key: def.name,
      prompt,
      system: systemPromptOf(def),
      model: def.model,
      characterSlug: def.characterSlug,
      veniceParameters: def.veniceParameters,
      tools,
      maxSteps: o.maxSteps ?? def.maxSteps,
      budgetDiem: o.budgetDiem ?? def.budget.diemPerRun,
      signal: o.signal,
    })
  }
}

/** What `readLedger` is asked: one agent's lines since a time (ms since the epoch). */
export type LedgerQuery = { agent: string; since: number }

/** The host as returned by `createAgentHost`. */
export type AgentHost = ReturnType<typeof createAgentHost>

function latestAgentKeys(store: KeyStore, scope: { wallet: string; apiOrigin: string }): Map<string, StoredKey> {
  const byAgent = new Map<string, StoredKey>()
  for (const k of store.keys('INFERENCE')) if (k.agent && k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin) byAgent.set(k.agent, k)
  return byAgent
}
