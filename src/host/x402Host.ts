/**
 * An agent host on the x402 rail: the agent's model calls are signed in with SIWX for the wallet (no API key
 * exists, none is minted), paid from the wallet's USDC credits, and when a call gets a 402 the funding path buys
 * credits with one x402 top-up under the spend policy (`topUpX402`: caps, payee allowlist, funding window,
 * journaled, crash-safe) and retries the call once.
 */
import { formatUnits } from 'viem'
import { resolveTools, systemPromptOf, type AgentDefinition } from '../agent/defineAgent.js'
import type { TopUpFn } from '../agent/funding.js'
import type { FundingPolicy } from '../agent/fundingPolicy.js'
import { createLedger, readLedger, type LedgerEntry } from '../agent/ledger.js'
import { createRunner, type KeyServices, type Runner } from '../agent/runner.js'
import type { RunResult } from '../agent/runAgent.js'
import { createX402CreditsTracker } from '../status/x402Credits.js'
import type { Wallet } from '../wallet/createWallet.js'
import { PolicyViolationError } from '../wallet/errors.js'
import { topUpX402, type TopUpX402ReturnType, type X402TopUpApi } from '../wallet/x402/topUpX402.js'
import { USDC_DECIMALS, type X402Policy } from '../wallet/x402/x402Policy.js'
import { builtinToolFactories, type ToolFactory } from './hostTools.js'

export type X402HostOptions = {
  wallet: Wallet
  baseURL: string
  api: X402TopUpApi
  policy: X402Policy
  /** The funding policy, whole: its window (`cooldownMs`) also spaces x402 top-ups. */
  funding: FundingPolicy
  /** USDC base units bought per automatic top-up (at least Venice's $5). */
  usdcPerTopUp: bigint
  ensureUsdc?: ((wallet: Wallet, needed: bigint) => Promise<void>) | undefined
  tools?: Record<string, ToolFactory> | undefined
  outboxDir: string
  /**
   * The spend ledger file (`ledgerPathIn(stateDir)`, the one every run writes): each call paid from credits is a
   * line (key hint `siwx`), and the runway monitor's burn starts from the ones already there. Default: memory only.
   */
  ledgerPath?: string | undefined
  onTopUp?: ((result: TopUpX402ReturnType, reason: string) => void) | undefined
}

/**
 * The top-up the funding controller runs on the x402 rail: a policy refusal is a refusal in words, anything else throws.
 *
 * @example
 * ```ts
 * const topUp = createX402TopUp({ wallet, api, policy, funding, usdcPerTopUp: 5_000_000n })
 * ```
 */
export function createX402TopUp(o: Pick<X402HostOptions, 'wallet' | 'api' | 'policy' | 'funding' | 'usdcPerTopUp' | 'ensureUsdc' | 'onTopUp'>): TopUpFn {
  return async (request) => {
    try {
      const r = await topUpX402(o.wallet, {
        api: o.api,
        policy: o.policy,
        amount: o.usdcPerTopUp,
        reason: request.reason,
        cooldownMs: o.funding.cooldownMs,
        ensureUsdc: o.ensureUsdc,
      })
      o.onTopUp?.(r, request.reason)
      return { ok: true, summary: describeX402TopUp(r) }
    } catch (err) {
      if (err instanceof PolicyViolationError) return { ok: false, refusal: err.shortMessage }
      throw err
    }
  }
}

/** One line for people: what a top-up paid and what it bought. */
export function describeX402TopUp(r: TopUpX402ReturnType): string {
  const paid = `${formatUnits(r.amount, USDC_DECIMALS)} USDC`
  if (r.finishedEarlier) return `finished an interrupted x402 top-up of ${paid}`
  return `paid ${paid} over x402: credited $${r.creditedUsd ?? '?'}, credits now $${r.newBalanceUsd ?? '?'}`
}

/**
 * Builds the host: one runner key per agent (its client signs in with SIWX), the agent's tools, x402 funding.
 *
 * @example
 * ```ts
 * const host = createX402Host({ wallet, baseURL, api, policy, funding, usdcPerTopUp: 5_000_000n, outboxDir })
 * const result = await host.run(definition, { prompt: 'hello' })
 * ```
 */
export function createX402Host(o: X402HostOptions) {
  const credits = createX402CreditsTracker()
  const ledger = createLedger({ path: o.ledgerPath })
  const readSpends = async (agent: string, since: number): Promise<readonly LedgerEntry[]> =>
    (o.ledgerPath ? await readLedger(o.ledgerPath) : ledger.entries()).filter((e) => e.agent === agent && Date.parse(e.ts) >= since)
  const runners = new Map<string, Runner>()
  const runnerFor = (def: AgentDefinition): Runner => {
    let r = runners.get(def.name)
    if (!r) {
      r = createRunner({
        baseURL: o.baseURL,
        keys: [{ name: def.name, apiKey: 'x402' }],
        siwx: { signer: o.wallet.signer, chainId: o.wallet.chainId },
        topUp: createX402TopUp(o),
        funding: o.funding,
        // Calls paid from credits go to the spend ledger, and the monitor's burn (its top-up ahead of a 402) starts from it.
        ledger,
        readSpends,
      })
      runners.set(def.name, r)
    }
    return r
  }
  return {
    /** The credits figure (`X-Balance-Remaining` of the last call), from the status model's one function. */
    credits,
    async run(
      def: AgentDefinition,
      ov: { prompt?: string | undefined; maxSteps?: number | undefined; signal?: AbortSignal | undefined } = {},
    ): Promise<RunResult> {
      const runner = runnerFor(def)
      const services = runner.key(def.name)!
      const deps = { wallet: o.wallet, services, outboxDir: o.outboxDir, funding: o.funding, imageModel: 'default' }
      const factories = { ...builtinToolFactories, ...o.tools }
      const registry = new Map(
        Object.entries(factories)
          .filter(([name]) => def.tools.includes(name))
          .map(([name, make]) => [name, make(deps)]),
      )
      const result = await runner.run({
        agent: def.name,
        prompt: ov.prompt ?? def.prompt ?? '',
        system: systemPromptOf(def),
        model: def.model,
        characterSlug: def.characterSlug,
        veniceParameters: def.veniceParameters,
        tools: resolveTools(def, registry),
        maxSteps: ov.maxSteps ?? def.maxSteps,
        signal: ov.signal,
      })
      const last = await services.venice.getX402Balance(o.wallet.address).catch(() => undefined)
      if (last) credits.record(last.balanceUsd)
      return result
    },
    /** The spend ledger the runs write (flush before reading the file elsewhere). */
    ledger,
    /** An agent's key services (its SIWX client, balance monitor and funding) as its runs use them: what its `get_runway` reads. */
    services: (def: AgentDefinition): KeyServices => runnerFor(def).key(def.name)!,
    async close(): Promise<void> {
      for (const r of runners.values()) r.close()
      await ledger.flush()
    },
  }
}

/** The host as returned by `createX402Host`. */
export type X402Host = ReturnType<typeof createX402Host>
