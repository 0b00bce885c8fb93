import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ledgerPathIn } from '../agent/ledger.js'
import type { Hex } from 'viem'
import { formatShort as f } from '../wallet/amounts.js'
import treasurer from '../../agents/treasurer.js'
import type { LocalWorld } from '@gondola/devnet'
import { createAgentHost, type AgentHost, type HostEvent } from '../host/createAgentHost.js'
import { describeTopUp } from '../host/walletTopUp.js'
import { KeyStore } from '../keys/KeyStore.js'
import { provision } from '../keys/provision.js'
import { createKeystore } from '../wallet/accounts/createKeystore.js'
import { loadAccount } from '../wallet/accounts/loadAccount.js'
import { ensureDiem } from '../wallet/actions/ensureDiem.js'
import { quoteSwap } from '../wallet/actions/quoteSwap.js'
import { describeComparison } from '../wallet/routes/describeComparison.js'
import { poolLabel } from '../wallet/routes/venues.js'
import { createWallet, type Wallet } from '../wallet/createWallet.js'
import { demoSettings as S } from './demoSettings.js'
import { printRun, summarize, type DemoSummary, type SentTx } from './demoSummary.js'
import { createReporter, type Reporter } from './reporter.js'
import { stoppableSteps } from './stoppableSteps.js'
// The lazy entry points: they load @gondola/devnet, or say the command that installs it.
import { devStake, startLocalWorld } from '../devnet/lazy.js'
import type { Shutdown } from '../util/shutdown.js'

export { DemoStoppedError } from './stoppableSteps.js'

export type RunDemoOptions = {
  json: boolean
  /** Keep state here (default: a temp dir removed at the end). */
  stateDir?: string | undefined
  out?: NodeJS.WritableStream | undefined
  spinners?: boolean | undefined
  /** Called after the summary, before the world stops (`npm start -- --dashboard` keeps the page up here). */
  beforeStop?: ((ctx: { world: LocalWorld; wallet: Wallet; store: KeyStore; stateDir: string }) => Promise<void>) | undefined
  /**
   * The command's stop handler: once its signal aborts, the step in flight (and, in step 4, the agent run in flight)
   * is finished, no later step starts, the world is stopped and `DemoStoppedError` is thrown.
   */
  shutdown?: Pick<Shutdown, 'signal' | 'doing'> | undefined
}

// The treasurer from agents/, prompted to read its runway or its stake in turn (the deterministic local model
// calls the tool each prompt names).
const prompts = ['Call get_runway and tell me how many hours of inference we have left.', 'Call get_wallet_balances and summarise our stake.']

/**
 * `npm start`: the whole self-funding story on the embedded devnet, no configuration. Starts the local world,
 * creates an encrypted wallet, funds it, provisions (swap, stake, DIEM, ADMIN + limited INFERENCE key), runs an
 * agent until its runway is short, shows the automatic top-up, and summarises. Leaves no process behind.
 *
 * @example
 * ```ts
 * const summary = await runDemo({ json: true })
 * summary.topUps.length // 1
 * ```
 */
export async function runDemo(o: RunDemoOptions): Promise<DemoSummary> {
  const started = performance.now()
  const TOTAL = 5
  const report = createReporter({ json: o.json, totalSteps: TOTAL, out: o.out, spinners: o.spinners })
  const stateDir = o.stateDir ?? (await mkdtemp(join(tmpdir(), 'gondola-demo-')))
  let world: LocalWorld | undefined
  // Between steps: a stop asked for during the step just finished ends the story here (the world stops in `finally`).
  let transactions = 0
  const step = stoppableSteps({ report, total: TOTAL, shutdown: o.shutdown, transactions: () => transactions })
  try {
    // Kept for `finally` as soon as it runs: a stop asked for while the world starts still stops it.
    const live = await step('Starting the local world: anvil, Uniswap V3, VVV/sVVV/DIEM, the Venice API emulator', () =>
      startWorld(report).then((w) => (world = w)),
    )
    const wallet = await step('Creating an encrypted wallet and funding it from the faucet', () => createDemoWallet(live, stateDir, report))
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
    const sent = await step('Provisioning: swap ETH→VVV, stake, mint + stake DIEM, mint an ADMIN key and a limited INFERENCE key', async () => {
      const hashes = await provisionAgent(live, wallet, store, report)
      transactions += hashes.length
      return hashes
    })
    const events: HostEvent[] = []
    const host = createAgentHost({
      wallet,
      store,
      baseURL: live.veniceBaseUrl,
      outboxDir: join(stateDir, 'outbox'),
      state: { ledgerPath: ledgerPathIn(stateDir), runsPath: join(stateDir, 'runs.jsonl') },
      funding: { minRunwayHours: S.minRunwayHours, cooldownMs: 600_000, ethPerTopUp: S.topUpEth, mintDiem: true },
      monitor: { criticalRunwayHours: S.criticalRunwayHours, burnWindowMs: S.burnWindowMs },
      onEvent: (e) => events.push(e),
    })
    try {
      await step('Running the treasurer agent on its own key until the runway is short', async () => {
        await runUntilTopUp(host, events, report, o.shutdown?.signal)
        for (const e of events) if (e.type === 'topUp') sent.push(...e.result.hashes.map((hash) => ({ hash, label: 'top-up' })))
        transactions = sent.length
      })
      const summary = await step('Summary', async () => summarize({ report, world: live, wallet, store, host, events, sent, ms: performance.now() - started }))
      await o.beforeStop?.({ world: live, wallet, store, stateDir })
      return summary
    } finally {
      host.close()
    }
  } finally {
    await world?.stop()
    if (!o.stateDir) await rm(stateDir, { recursive: true, force: true })
  }
}

async function startWorld(report: Reporter): Promise<LocalWorld> {
  const world = await startLocalWorld({ emulator: { chainCacheMs: 0 } })
  await devStake(world.devnet, world.devnet.accounts.length - 1, S.whaleStakeVvv)
  report.line(`chain   ${world.devnet.rpcUrl} (chain id ${world.devnet.chainId}, deployed from ${world.devnet.source})`)
  report.line(`Venice  ${world.veniceBaseUrl}`)
  report.line(`another staker holds ${f(S.whaleStakeVvv)} sVVV, so our share of the daily Diem pool is small`)
  report.record('world', { rpcUrl: world.devnet.rpcUrl, veniceBaseUrl: world.veniceBaseUrl, addresses: world.devnet.addresses })
  return world
}

async function createDemoWallet(world: LocalWorld, stateDir: string, report: Reporter): Promise<Wallet> {
  const keystorePath = join(stateDir, 'wallet.keystore.json')
  const password = randomBytes(24).toString('base64url') // kept in memory only, never printed
  const { address } = await createKeystore({ path: keystorePath, password })
  const account = await loadAccount({ keystorePath, password })
  await world.devnet.fund(address, { eth: S.fundEth })
  report.line(`address ${address} (keystore v3/scrypt, mode 0600)`)
  report.line(`faucet  +${f(S.fundEth)} ETH`)
  report.record('wallet', { address })
  return createWallet({ account, publicClient: world.devnet.publicClient, addresses: world.devnet.addresses, stateDir })
}

async function provisionAgent(world: LocalWorld, wallet: Wallet, store: KeyStore, report: Reporter): Promise<SentTx[]> {
  const quote = await quoteSwap(wallet, { amountIn: S.topUpEth })
  report.line(
    `quote   ${f(quote.amountIn)} ETH → ${f(quote.amountOut)} VVV on ${poolLabel(quote)} (min ${f(quote.amountOutMinimum)} at ${quote.slippageBps} bps)`,
  )
  for (const line of describeComparison(quote.comparison!)) report.line(`        ${line}`)
  const result = await provision({ wallet, baseURL: world.veniceBaseUrl, store, agents: ['treasurer'], stakeSvvv: S.stakeVvv, diemPerAgent: S.diemPerAgent })
  const s = result.stake
  report.line(
    `stake   swapped ${f(s.swap?.amountIn ?? 0n)} ETH → ${f(s.swap?.amountOut ?? 0n)} VVV, approved exactly ${f(s.staked)}, staked (${s.hashes.length} tx)`,
  )
  const diem = await ensureDiem(wallet, { targetStakedDiem: S.stakedDiem })
  report.line(`DIEM    locked ${f(diem.mint?.svvvLocked ?? 0n)} sVVV → minted and staked ${f(diem.staked)} DIEM (${diem.hashes.length} tx)`)
  for (const k of [result.admin.key, ...result.agents.map((a) => a.key)]) {
    if (k)
      report.line(
        `key     ${k.apiKeyType.padEnd(9)} ${k.redacted}  ${k.apiKeyType === 'ADMIN' ? 'kept by the host, never given to an agent' : `${k.consumptionLimit.diem} Diem per ${k.limitPeriod} for agent ${k.agent}`}`,
      )
  }
  report.record('provision', { stakeTx: s.hashes, diemTx: diem.hashes })
  return [...s.hashes.map((hash: Hex) => ({ hash, label: 'provision' })), ...diem.hashes.map((hash: Hex) => ({ hash, label: 'diem' }))]
}

async function runUntilTopUp(host: AgentHost, events: HostEvent[], report: Reporter, stop: AbortSignal | undefined): Promise<void> {
  let runsAfterTopUp = 0
  let told = 0
  // A stop asked for mid-step lets the run in flight (and a top-up it started) finish, then ends the loop.
  for (let i = 0; i < S.maxRuns && runsAfterTopUp < 2 && !stop?.aborted; i++) {
    const seen = host.ledger.entries().length
    const result = await host.run(treasurer, { prompt: prompts[i % prompts.length] })
    printRun(report, i + 1, result, host.ledger.entries().slice(seen), host.runner.key('treasurer')!.monitor.snapshot())
    // Wait for a top-up the monitor started in the background, then tell it.
    await host.runner.key('treasurer')!.funding?.maybeTopUp('runway')
    for (const e of events.slice(told)) {
      if (e.type === 'topUp') report.line(`⚡ runway short → automatic top-up under the spend policy: ${describeTopUp(e.result)}`)
      if (e.type === 'funding' && e.outcome.action === 'refused') report.line(`⛔ top-up refused: ${e.outcome.refusal}`)
    }
    told = events.length
    if (events.some((e) => e.type === 'topUp')) runsAfterTopUp++
  }
}
