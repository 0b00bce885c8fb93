import { createLedger, ledgerPathIn, type Ledger } from '../agent/ledger.js'
import { createPriceBook, type PriceBook } from '../agent/pricing.js'
import type { KeyStore } from '../keys/KeyStore.js'
import { originOf, storedAdminKey } from '../keys/provisionApiKey.js'
import { createVeniceClient, type VeniceClient } from '../venice/createVeniceClient.js'
import type { VeniceHeaders } from '../venice/headers.js'
import type { PaymentRail } from '../agent/fundingRail.js'
import { createX402CreditsTracker } from '../status/x402Credits.js'
import type { Wallet } from '../wallet/createWallet.js'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { createPlanBook, type PlanBook } from './plans.js'
import { openedWallet, type WalletSource } from './walletSource.js'

/** The server has no key of the kind a tool needs (run `gondola provision` first). */
export class McpKeyMissingError extends BaseError {
  override name = 'McpKeyMissingError' as const
  override exitCode = ExitCode.config
}

/** What the MCP server is built from: one wallet, its key store, the Venice API, and where the ledger lives. */
export type McpServerOptions = {
  /**
   * The live wallet, or a source that opens it on first use (`lazyWallet`: the server starts during an RPC outage).
   * Plans run on a dry-run copy of it; only `confirm_plan` sends.
   */
  wallet: Wallet | WalletSource
  store: KeyStore
  /** Venice API base URL. */
  baseURL: string
  /** The key-store agent whose limited INFERENCE key pays for the Venice tools (default `mcp`). */
  agent?: string | undefined
  /**
   * How the Venice tools pay: `diem` (default: the agent's limited INFERENCE key) or `x402` (every request signed in
   * with SIWX by the wallet, no API key, debited from the wallet's USDC credits; the server never tops them up itself).
   */
  pay?: PaymentRail | undefined
  /** JSONL spend ledger shared with `gondola run` (default: in memory only). */
  ledgerPath?: string | undefined
  /** What `mint_inference_key` may mint: the most Diem per period, and the periods (default 5 Diem, EPOCH or MONTH). */
  keyPolicy?: McpKeyPolicy | undefined
  /** How long a dry-run plan waits for its confirmation (default 10 min). */
  planTtlMs?: number | undefined
  fetch?: typeof fetch | undefined
  now?: (() => number) | undefined
}

/** The server's limits on the keys it mints for callers (GONDOLA_MCP_MAX_KEY_DIEM, GONDOLA_MCP_KEY_PERIODS). */
export type McpKeyPolicy = { maxDiem: number; periods: readonly ('EPOCH' | 'MONTH' | 'LIFETIME')[] }

/** The default key policy: at most 5 Diem per key per period, daily or monthly limits only. */
export const DEFAULT_KEY_POLICY: McpKeyPolicy = { maxDiem: 5, periods: ['EPOCH', 'MONTH'] }

/** Everything the tools share, built once per server. */
export type McpContext = {
  /** The wallet's address (known without the chain). */
  address: Wallet['address']
  /** The live wallet; rejects with `McpRpcUnavailableError` while it cannot be opened. */
  wallet(): Promise<Wallet>
  /** The same wallet in dry-run mode (plans). */
  dryRunWallet(): Promise<Wallet>
  store: KeyStore
  baseURL: string
  agent: string
  keyPolicy: McpKeyPolicy
  scope: { wallet: string; apiOrigin: string }
  ledger: Ledger
  ledgerPath: string | undefined
  plans: PlanBook
  fetch: typeof fetch | undefined
  now: () => number
  /** The ADMIN client (key management, balances). Never exposed to a caller. */
  admin(): VeniceClient
  /** How the Venice tools pay (`diem`: the INFERENCE key; `x402`: SIWX and the wallet's credits). */
  pay: PaymentRail
  /** The client the Venice tools use: the server's limited INFERENCE key, or (x402) the wallet's SIWX sign-in. */
  inference(): Promise<VeniceClient>
  prices(): Promise<PriceBook>
  /** The x402 credits as last reported (`X-Balance-Remaining`, `/x402/balance`): the status model's one figure. */
  credits: ReturnType<typeof createX402CreditsTracker>
  /** Venice headers of the latest response on the inference key (balance before it, for the Diem/USD split). */
  lastHeaders(): VeniceHeaders
}

/**
 * Builds the shared context of an MCP server.
 *
 * @example
 * ```ts
 * const ctx = createMcpContext({ wallet, store, baseURL, ledgerPath: ledgerPathIn(stateDir) })
 * ```
 */
export function createMcpContext(o: McpServerOptions): McpContext {
  const source: WalletSource = 'open' in o.wallet ? o.wallet : openedWallet(o.wallet)
  const scope = { wallet: source.address, apiOrigin: originOf(o.baseURL) }
  const agent = o.agent ?? 'mcp'
  let admin: VeniceClient | undefined
  let inference: VeniceClient | undefined
  let prices: PriceBook | undefined
  let last: VeniceHeaders = {} as VeniceHeaders
  const pay = o.pay ?? 'diem'
  const credits = createX402CreditsTracker(o.now)
  const onHeaders = (h: VeniceHeaders) => {
    last = h
    credits.observe(h)
  }
  const ctx: McpContext = {
    address: source.address,
    wallet: () => source.open(),
    dryRunWallet: async () => ({ ...(await source.open()), dryRun: true }),
    store: o.store,
    baseURL: o.baseURL,
    agent,
    keyPolicy: o.keyPolicy ?? DEFAULT_KEY_POLICY,
    scope,
    ledger: createLedger({ path: o.ledgerPath }),
    ledgerPath: o.ledgerPath,
    plans: createPlanBook({ ttlMs: o.planTtlMs, now: o.now }),
    fetch: o.fetch,
    now: o.now ?? Date.now,
    pay,
    credits,
    admin() {
      const key = storedAdminKey(o.store, scope)
      if (!key)
        throw new McpKeyMissingError('This server keeps no ADMIN key for the wallet.', { metaMessages: ['Run: gondola provision'], code: 'MCP_NO_ADMIN_KEY' })
      return (admin ??= createVeniceClient({ baseURL: o.baseURL, apiKey: key, fetch: o.fetch, maxRetries: 2 }))
    },
    async inference() {
      if (inference) return inference
      if (pay === 'x402') {
        // No key exists on this rail: the wallet signs every request in (a fresh SIGN-IN-WITH-X header each time).
        const w = await source.open()
        return (inference ??= createVeniceClient({
          baseURL: o.baseURL,
          siwx: { signer: w.signer, chainId: w.chainId },
          fetch: o.fetch,
          maxRetries: 2,
          onHeaders,
        }))
      }
      const k = o.store
        .keys('INFERENCE')
        .filter((k) => k.agent === agent && k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
        .at(-1)
      if (!k)
        throw new McpKeyMissingError(`This server keeps no INFERENCE key for agent "${agent}".`, {
          metaMessages: [`Run: gondola provision --agents ${agent}`],
          code: 'MCP_NO_INFERENCE_KEY',
        })
      return (inference = createVeniceClient({
        baseURL: o.baseURL,
        apiKey: o.store.reveal(k.id),
        fetch: o.fetch,
        maxRetries: 2,
        onHeaders,
      }))
    },
    lastHeaders: () => last,
    async prices() {
      return (prices ??= createPriceBook(await ctx.inference()))
    },
  }
  return ctx
}

/** The ledger path `gondola run` uses in a state dir, so both see the same spend (defined with the ledger). */
export { ledgerPathIn }
