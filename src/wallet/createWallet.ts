import type { Address, Chain, Hex, PublicClient, Transport } from 'viem'
import { defaultDataDir } from '../config/env.js'
import type { AddressBook } from '../chain/addressBook.js'
import { addressBookContracts } from '../chain/addressBook.js'
import { parseAddress } from './amounts.js'
import { toSigner, type AnySigner, type WalletSigner } from './accounts/toSigner.js'
import { ChainMismatchError } from './errors.js'
import { openJournal, type Journal, type JournalStep, type JournalStore } from './journal/journal.js'
import { createPolicy, type SpendPolicy } from './policy/policy.js'
import { bestRoute } from './routes/venueRoute.js'
import type { SwapRoute } from './routes/types.js'

/** Seams at the dangerous moments of a send: a crash injected by tests, or a last check before signing. */
export type WalletHooks = {
  /** After the calldata is built, before anything is signed: throwing stops the send (nothing signed or journaled). */
  beforeSign?: ((tx: { name: string; label: string; to: Address; value: bigint; data: Hex }) => void | Promise<void>) | undefined
  /** After the signed tx is journaled, before it is broadcast. */
  afterSign?: ((step: JournalStep) => void | Promise<void>) | undefined
  /** After broadcast, before the receipt is recorded. */
  afterBroadcast?: ((step: JournalStep) => void | Promise<void>) | undefined
}

/** Everything an action needs: signer, chain reader, address book, policy, journal. Actions take it first: `action(wallet, params)`. */
export type Wallet = {
  readonly address: Address
  readonly signer: WalletSigner
  readonly publicClient: PublicClient<Transport, Chain | undefined>
  readonly addresses: AddressBook
  readonly chainId: number
  readonly policy: Readonly<SpendPolicy>
  readonly journal: Journal
  readonly route: SwapRoute
  /** Simulate and report, sign and send nothing, write no journal. */
  readonly dryRun: boolean
  readonly receiptTimeoutMs: number
  readonly pollingIntervalMs: number
  /** How long a run waits for another process holding the same journal's lock. */
  readonly lockTimeoutMs: number
  /** A journal lock not refreshed for this long is taken over even if its pid looks alive. */
  readonly lockStaleMs: number
  readonly now: () => Date
  readonly hooks: WalletHooks
}

export type CreateWalletParameters = {
  /** A viem LocalAccount or an ethers Signer. */
  account: AnySigner
  publicClient: PublicClient<Transport, Chain | undefined>
  addresses: AddressBook
  /** Defaults: 0.05 ETH per swap, 0.2 ETH per UTC day, 50 bps, the address book as allowlist. */
  policy?: SpendPolicy | undefined
  /**
   * Per-user data directory (GONDOLA_DATA_DIR) holding this address's journal, lock and daily spend, shared by
   * every state dir that uses the address. Default: `defaultDataDir()` (`$XDG_DATA_HOME/gondola`).
   */
  dataDir?: string | undefined
  /** The state dir (GONDOLA_STATE_DIR): a journal an older version kept there is merged into the per-address one. */
  stateDir?: string | undefined
  /**
   * Where the journal (and with it the lock, the daily spend and the funding window) lives. Default: the file
   * journal in `dataDir`. Fleet mode passes the Postgres one (`createStateStores`), shared across machines.
   */
  journalStore?: JournalStore | undefined
  /** Swap route; defaults to `bestRoute` (every venue compared, best net of gas). */
  route?: SwapRoute | undefined
  dryRun?: boolean | undefined
  /** Receipt wait per transaction (default 120 s). */
  receiptTimeoutMs?: number | undefined
  pollingIntervalMs?: number | undefined
  /** Wait for another process running an action on the same journal (default 30 s), then throw `WalletLockedError`. */
  lockTimeoutMs?: number | undefined
  /** Take over a journal lock its holder stopped refreshing this long ago (default 5 min; the holder refreshes it every fifth of that). */
  lockStaleMs?: number | undefined
  now?: (() => Date) | undefined
  hooks?: WalletHooks | undefined
}

/**
 * Bundles signer, client, address book, spend policy and journal into a wallet, after checking
 * that the RPC endpoint serves the chain the address book is for.
 *
 * @throws {ChainMismatchError} when the endpoint's chain id differs from `addresses.chainId`.
 * @throws {InvalidAddressError} when the address book holds a malformed address.
 *
 * @example
 * ```ts
 * const wallet = await createWallet({ account, publicClient, addresses, dataDir: defaultDataDir() })
 * const balances = await getBalances(wallet)
 * ```
 */
export async function createWallet(parameters: CreateWalletParameters): Promise<Wallet> {
  const { publicClient, addresses, stateDir } = parameters
  for (const [key, value] of Object.entries(addresses)) if (typeof value === 'string' && key !== 'network') parseAddress(value, `address book entry "${key}"`)
  const chainId = await publicClient.getChainId()
  if (chainId !== addresses.chainId) throw new ChainMismatchError(addresses.chainId, chainId)
  // Every fresh devnet reuses its chain id: its genesis hash keeps a dead devnet's journal (and signed bytes) apart.
  const chainInstance = addresses.network === 'devnet' ? (await publicClient.getBlock({ blockNumber: 0n })).hash?.slice(2, 12) : undefined
  const signer = await toSigner(parameters.account)
  const now = parameters.now ?? (() => new Date())
  const policy = createPolicy(
    parameters.policy ?? {
      maxEthPerSwap: 50_000_000_000_000_000n,
      maxEthPerDay: 200_000_000_000_000_000n,
      maxSlippageBps: 50,
      allowlist: addressBookContracts(addresses),
    },
  )
  return {
    address: signer.address,
    signer,
    publicClient,
    addresses,
    chainId,
    policy,
    journal: await (parameters.journalStore ?? openJournal)({
      dataDir: parameters.dataDir ?? defaultDataDir(),
      stateDir,
      chainId,
      chainInstance,
      address: signer.address,
      now,
    }),
    route: parameters.route ?? bestRoute,
    dryRun: parameters.dryRun ?? false,
    receiptTimeoutMs: parameters.receiptTimeoutMs ?? 120_000,
    pollingIntervalMs: parameters.pollingIntervalMs ?? (addresses.network === 'devnet' ? 50 : 1_000),
    lockTimeoutMs: parameters.lockTimeoutMs ?? 30_000,
    lockStaleMs: parameters.lockStaleMs ?? 300_000,
    now,
    hooks: parameters.hooks ?? {},
  }
}
