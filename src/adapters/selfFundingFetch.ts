import type { ChatCompletion } from 'openai/resources/chat/completions'
import { chargeOf, ledgerEntryOf } from '../agent/accounting.js'
import type { FundingOutcome, TopUpFn } from '../agent/funding.js'
import type { FundingPolicy } from '../agent/fundingPolicy.js'
import { createLedger, readLedger, type Ledger } from '../agent/ledger.js'
import type { LimiterClock } from '../agent/rateLimiter.js'
import { createRunner, type KeyServices, type Runner } from '../agent/runner.js'
import { parseVeniceHeaders } from '../venice/headers.js'
import { createSiwxHeader, SIWX_HEADER, type SiwxOptions } from '../venice/siwx.js'
import type { ApiKey, RateLimits } from '../venice/schemas.js'
import { metricsEnabled, watchRunway } from '../telemetry/instruments.js'
import { awaitBalanceAbove } from './awaitBalance.js'
import { meterStream } from './meterStream.js'

/** Options of `createSelfFundingFetch`. */
export type SelfFundingFetchOptions = {
  /** Venice API base URL (the same one the client uses). */
  baseURL: string
  /** The Venice key this fetch sends (a limited INFERENCE key). The client's own `apiKey` is replaced by it. Unused with `siwx`. */
  apiKey?: string | undefined
  /**
   * x402 mode: each request is signed in with a fresh SIWX header for this wallet instead of a key (the client's
   * `Authorization` is removed), and a 402 means the USDC credits are short: `topUp` (e.g. `createX402TopUp`) buys
   * more, and the request is retried at once (Venice credits a top-up before it answers it).
   */
  siwx?: Omit<SiwxOptions, 'now'> | undefined
  /** Name in the ledger and logs (default `client`). */
  agent?: string | undefined
  /** The policy-bound top-up (e.g. `createWalletTopUp({ wallet, policy })`, which keeps the funding window); without it a 402 is returned as is. */
  topUp?: TopUpFn | undefined
  /** The funding policy: top up when the runway falls below `minRunwayHours`. */
  funding?: Pick<FundingPolicy, 'minRunwayHours'> | undefined
  /** Spend ledger (default: a JSONL file at `ledgerPath`, or memory). */
  ledger?: Ledger | undefined
  ledgerPath?: string | undefined
  /** The fetch underneath (default: global fetch). */
  fetch?: typeof fetch | undefined
  clock?: LimiterClock | undefined
  /** Told what each 402-triggered funding attempt decided. */
  onFunding?: ((outcome: FundingOutcome) => void) | undefined
  /**
   * After a top-up, how long to wait at most for Venice to report the new balance before the retry (ms). Default
   * 20 s. The balance is read from the headers of a cheap authenticated `GET /characters?limit=1` on this key
   * (rate limits are ADMIN-only on Venice), with backoff.
   */
  balanceWaitMs?: number | undefined
  /**
   * ADMIN-backed readers (Venice serves both to ADMIN keys only): the account's balances, and this key's own record
   * (limit, current-period usage). With them the monitor's spendable is the status model's, min(key limit left,
   * account balance), as `gondola status` shows it; without them it is the balance the headers report.
   */
  fetchRateLimits?: (() => Promise<RateLimits>) | undefined
  fetchKeyRecord?: (() => Promise<ApiKey | undefined>) | undefined
}

/**
 * Self-funding for any OpenAI-compatible client: a `fetch` to give the openai SDK (`new OpenAI({ fetch })`), the AI
 * SDK's OpenAI-compatible provider, LangChain or plain code. For every request it
 * - paces with Gondola's limiter (per model, on `remaining` + `reset`), under the failure breaker;
 * - reads Venice's balance and rate-limit headers into the balance monitor, and records every charged call in it, so
 *   the runway (the status model's figures) moves and a short runway tops up (under the wallet's spend policy and
 *   funding window) before any 402;
 * - charges chat completions to the spend ledger, streamed ones too (from the stream's final usage chunk: it
 *   asks for one with `stream_options.include_usage` and, when the caller did not, hides it from the caller);
 * - on a 402 that is not the key's own limit, runs the top-up, waits (within `balanceWaitMs`) until Venice reports
 *   the new balance, and retries the request once.
 *
 * @example
 * ```ts
 * const policy = { minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: true }
 * const funded = createSelfFundingFetch({ baseURL, apiKey, topUp: createWalletTopUp({ wallet, policy }), funding: policy })
 * const openai = new OpenAI({ baseURL, apiKey: 'set-by-gondola', fetch: funded.fetch })
 * await openai.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'Hi' }] })
 * funded.close()
 * ```
 */
export function createSelfFundingFetch(o: SelfFundingFetchOptions) {
  if (!o.apiKey && !o.siwx) throw new TypeError('createSelfFundingFetch needs an apiKey, or siwx for x402 mode')
  const agent = o.agent ?? 'client'
  const ledger = o.ledger ?? createLedger({ path: o.ledgerPath })
  const base = o.fetch ?? globalThis.fetch
  const runner: Runner = createRunner({
    baseURL: o.baseURL,
    keys: [{ name: agent, apiKey: o.apiKey ?? 'x402' }],
    siwx: o.siwx,
    ledger,
    topUp: o.topUp,
    funding: o.funding,
    fetch: base,
    clock: o.clock,
    ...(o.fetchRateLimits && { fetchRateLimits: o.fetchRateLimits }),
    ...(o.fetchKeyRecord && { fetchKeyRecord: o.fetchKeyRecord }),
    // With a ledger file, the monitor's burn starts from its lines, as `gondola status` counts it.
    ...(o.ledgerPath && { readSpends: async () => readLedger(o.ledgerPath!) }),
  })
  const services: KeyServices = runner.key(agent)!
  const auth = `Bearer ${o.apiKey}`

  const send = async (input: Parameters<typeof fetch>[0], init: RequestInit | undefined, model: string): Promise<Response> => {
    // The key's start-up reads (the ledger's burn, balances) land before its first spend is counted.
    await services.prepare()
    const ticket = await services.limiterFor(model).acquire(init?.signal ?? undefined)
    let res: Response
    try {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
      if (o.siwx) {
        headers.delete('authorization')
        headers.set(SIWX_HEADER, await createSiwxHeader(o.siwx))
      } else headers.set('authorization', auth)
      res = await base(input, { ...init, headers })
    } catch (err) {
      ticket.done(undefined, undefined)
      throw err
    }
    const h = parseVeniceHeaders(res.headers)
    ticket.done(h, res.status)
    // A 402 is only the account's (→ exhausted → funding) once classified from data below.
    services.monitor.observeHeaders(h, res.status === 402 ? undefined : res.status)
    return res
  }

  const funded: typeof fetch = async (input, init) => {
    const body = typeof init?.body === 'string' ? parseJson(init.body) : undefined
    const model = typeof body?.model === 'string' ? body.model : 'default'
    const isChat = urlOf(input).endsWith('/chat/completions')
    const streaming = isChat && body?.stream === true
    const callerAskedUsage = (body?.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true
    if (streaming && !callerAskedUsage)
      init = { ...init, body: JSON.stringify({ ...body, stream_options: { ...(body!.stream_options as object | undefined), include_usage: true } }) }
    let res = await send(input, init, model)
    if (res.status === 402 && services.funding && typeof init?.body !== 'object') {
      const message = await res
        .clone()
        .json()
        .then(
          (j: unknown) => {
            const b = j as { error?: unknown; message?: unknown }
            return String(b?.error ?? b?.message ?? '')
          },
          () => '',
        )
      // Decided from data (the key's record and usage, the 402's balance headers); the message is a hint.
      const h = parseVeniceHeaders(res.headers)
      const verdict = await services.classify402({ balanceDiem: h.balanceDiem, balanceUsd: h.balanceUsd, message })
      if (verdict.cause === 'account') {
        const outcome = await services.funding.maybeTopUp('402', { force: true })
        o.onFunding?.(outcome)
        if (outcome.action === 'topped_up' && o.siwx) res = await send(input, init, model)
        else if (outcome.action === 'topped_up') {
          // Venice sees a new stake seconds after the chain does: retry once it reports more than the 402 did.
          await awaitBalanceAbove({
            read: readBalance,
            above: (h.balanceDiem ?? 0) + (h.balanceUsd ?? 0),
            timeoutMs: o.balanceWaitMs,
            signal: init?.signal ?? undefined,
          })
          res = await send(input, init, model)
        }
      }
    }
    if (!res.ok || !isChat) return res
    if (!streaming) {
      const completion = body
        ? ((await res
            .clone()
            .json()
            .catch(() => undefined)) as ChatCompletion | undefined)
        : undefined
      if (completion) await charge(completion, res.headers, model)
      return res
    }
    if (!res.body) return res
    const headers = res.headers
    const metered = meterStream(res.body, {
      hideUsageChunk: !callerAskedUsage,
      onEnd: (u) => {
        if (!u) return
        const completion = {
          id: u.id ?? '',
          model: u.model ?? model,
          object: 'chat.completion',
          created: 0,
          choices: [],
          usage: { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens },
        } as ChatCompletion
        const charging = charge(completion, headers, model)
        pendingCharges.add(charging)
        void charging.finally(() => pendingCharges.delete(charging))
      },
    })
    return new Response(metered, { status: res.status, statusText: res.statusText, headers })
  }

  /** The balance Venice reports for this key's account now (any authenticated response carries it). */
  const readBalance = async (): Promise<number | undefined> => {
    if (o.fetchRateLimits) await services.refreshStatus()
    else await services.venice.listCharacters({ limit: 1 })
    const s = services.monitor.snapshot()
    return s.balanceDiem === undefined && s.balanceUsd === undefined ? undefined : (s.balanceDiem ?? 0) + (s.balanceUsd ?? 0)
  }

  /** Charges of streams that ended, still being written (awaited by `flush`). */
  const pendingCharges = new Set<Promise<void>>()

  async function charge(completion: ChatCompletion, responseHeaders: Headers, model: string): Promise<void> {
    try {
      const { price, id } = await runner.prices.resolve(model)
      const headers = parseVeniceHeaders(responseHeaders)
      const c = chargeOf(completion, price, headers)
      // The monitor learns every charged call: burn and runway move, and a short runway tops up before any 402.
      services.monitor.recordSpend(c.total)
      if (metricsEnabled()) watchRunway(services.monitor, services.venice.keyHint, () => services.monitor.snapshot().runwayHours)
      await ledger.append(ledgerEntryOf({ agent, key: services.venice.keyHint, model: id, charge: c, headers, completion }))
    } catch {
      // The ledger is best effort here: a model the price book cannot resolve must not fail the caller's request.
    }
  }

  return {
    fetch: funded,
    monitor: services.monitor,
    /** Re-reads the balances and the key's record into the monitor (with the ADMIN-backed readers; else a no-op). */
    refreshStatus: services.refreshStatus,
    ledger,
    funding: services.funding,
    /** Resolves when the charges of every finished stream are in the ledger. */
    flush: async (): Promise<void> => {
      await Promise.all([...pendingCharges])
      await ledger.flush()
    },
    /** Stops the monitor's timers. */
    close: () => runner.close(),
  }
}

/** What `createSelfFundingFetch` returns. */
export type SelfFundingFetch = ReturnType<typeof createSelfFundingFetch>

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input.split('?')[0]! : input instanceof URL ? input.pathname : new URL(input.url).pathname
}
