import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ledgerPathIn } from '../agent/ledger.js'
import { erc20Abi, formatUnits, parseEther, parseUnits, type Address } from 'viem'
import treasurer from '../../agents/treasurer.js'
import type { RunResult } from '../agent/runAgent.js'
import type { LocalWorld } from '@gondola/devnet'
// The lazy entry point: it loads @gondola/devnet, or says the command that installs it.
import { startLocalWorld } from '../devnet/lazy.js'
import { createX402Host, describeX402TopUp } from '../host/x402Host.js'
import { x402TopUpApi } from '../runtime/openX402.js'
import { swapForUsdcFunder } from '../runtime/swapForUsdc.js'
import { x402CreditsFigure } from '../status/x402Credits.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { createKeystore } from '../wallet/accounts/createKeystore.js'
import { loadAccount } from '../wallet/accounts/loadAccount.js'
import { formatShort as f } from '../wallet/amounts.js'
import { createWallet } from '../wallet/createWallet.js'
import { USDC_DECIMALS } from '../wallet/x402/x402Policy.js'
import { createReporter } from './reporter.js'
import { stoppableSteps } from './stoppableSteps.js'
import type { Shutdown } from '../util/shutdown.js'

/** What `npm start -- --rail x402` shows at the end (and prints as JSON with `--json`). */
export type X402DemoSummary = {
  rail: 'x402'
  wallet: Address
  ethFunded: string
  usdcPaid: string
  topUps: string[]
  runs: { status: string; toolCalls: number; steps: number }[]
  charges: number
  creditsUsd: number
  apiKeys: 0
  ms: number
}

const prompts = ['Call get_runway and tell me how many hours of inference we have left.', 'Call get_wallet_balances and summarise our stake.']

/**
 * `npm start -- --rail x402`: the second way to pay, on the embedded devnet. A wallet holding only ETH runs the
 * treasurer agent with no API key: it reads $0 of credits (no runway), so the host swaps ETH → USDC and pays $5 of
 * credits over x402 (settled on anvil) before the first call, and the tool loop runs signed in with SIWX, each call
 * debited from the credits (a 402 mid-run would be answered the same way).
 *
 * @example
 * ```ts
 * const summary = await runX402Demo({ json: true })
 * summary.creditsUsd // a little under 5
 * ```
 */
export async function runX402Demo(o: {
  json: boolean
  out?: NodeJS.WritableStream | undefined
  spinners?: boolean | undefined
  /** The first SIGINT/SIGTERM: the step in flight is finished, no later step starts, `DemoStoppedError` is thrown. */
  shutdown?: Pick<Shutdown, 'signal' | 'doing'> | undefined
}): Promise<X402DemoSummary> {
  const started = performance.now()
  const report = createReporter({ json: o.json, totalSteps: 4, out: o.out, spinners: o.spinners })
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-x402-demo-'))
  let world: LocalWorld | undefined
  const topUps: string[] = []
  const step = stoppableSteps({ report, total: 4, shutdown: o.shutdown, transactions: () => topUps.length })
  try {
    world = await step('Starting the local world: anvil with USDC and WETH/USDC pools, the Venice API emulator with its x402 rail', async () => {
      const w = await startLocalWorld({ emulator: { chainCacheMs: 0 } })
      report.line(`chain   ${w.devnet.rpcUrl} (chain id ${w.devnet.chainId}) · Venice ${w.veniceBaseUrl}`)
      report.line(`x402    pays USDC ${w.emulator.x402.asset} to ${w.emulator.x402.payTo} on ${w.emulator.x402.network}`)
      return w
    })
    const eth = parseEther('0.05')
    const wallet = await step('Creating an encrypted wallet holding only ETH', async () => {
      const keystorePath = join(stateDir, 'wallet.keystore.json')
      const password = randomBytes(24).toString('base64url') // in memory only, never printed
      const { address } = await createKeystore({ path: keystorePath, password })
      await world!.devnet.fund(address, { eth })
      report.line(`address ${address} · +${f(eth)} ETH · 0 USDC · no API key`)
      return createWallet({
        account: await loadAccount({ keystorePath, password }),
        publicClient: world!.devnet.publicClient,
        addresses: world!.devnet.addresses,
        stateDir,
      })
    })
    const venice = createVeniceClient({ baseURL: world.veniceBaseUrl, siwx: { signer: wallet.signer, chainId: wallet.chainId } })
    const host = createX402Host({
      wallet,
      baseURL: world.veniceBaseUrl,
      api: x402TopUpApi(venice),
      // The policy knows USDC and this emulator's payee: a payee it does not know is never paid.
      policy: {
        maxUsdcPerTopUp: parseUnits('20', 6),
        maxUsdcPerDay: parseUnits('50', 6),
        assets: [world.devnet.addresses.usdc!],
        payees: [world.emulator.x402.payTo],
      },
      funding: { minRunwayHours: 24, cooldownMs: 600_000, ethPerTopUp: parseEther('0.01'), mintDiem: false },
      usdcPerTopUp: parseUnits('5', 6),
      ensureUsdc: swapForUsdcFunder(),
      outboxDir: join(stateDir, 'outbox'),
      ledgerPath: ledgerPathIn(stateDir),
      onTopUp: (r, reason) => topUps.push(`${reason}: ${describeX402TopUp(r)}${r.transaction ? ` (tx ${r.transaction})` : ''}`),
    })
    const runs: RunResult[] = []
    try {
      await step('Running the treasurer signed in with SIWX: no credits → swap ETH → USDC → $5 top-up over x402 → the tool loop', async () => {
        for (const prompt of prompts) {
          const r = await host.run(treasurer, { prompt })
          runs.push(r)
          report.line(`${r.status}: ${r.steps} model call(s), ${r.toolCalls} tool call(s) · credits $${host.credits.figure()?.balanceUsd ?? '?'}`)
        }
        for (const t of topUps) report.line(`⚡ ${t}`)
      })
    } finally {
      await host.close()
    }
    return await step('Summary', async () => {
      const ledger = await venice.getX402Transactions(wallet.address)
      const usdcLeft = await world!.devnet.publicClient.readContract({
        address: world!.devnet.addresses.usdc!,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [wallet.address],
      })
      const paid = ledger.transactions.filter((t) => t.type === 'TOP_UP').reduce((s, t) => s + t.amount, 0)
      const charges = ledger.transactions.filter((t) => t.type === 'CHARGE').length
      // The status model's one credits figure, as every surface shows it.
      const credits = x402CreditsFigure([{ usd: ledger.currentBalance, at: Date.now(), source: 'balance' }])!.balanceUsd
      const summary: X402DemoSummary = {
        rail: 'x402',
        wallet: wallet.address,
        ethFunded: f(eth),
        usdcPaid: String(paid),
        topUps,
        runs: runs.map((r) => ({ status: r.status, toolCalls: r.toolCalls, steps: r.steps })),
        charges,
        creditsUsd: credits,
        apiKeys: 0,
        ms: Math.round(performance.now() - started),
      }
      report.line(
        `paid $${paid} of USDC over x402 · ${charges} model calls charged · credits left $${credits} · USDC left ${formatUnits(usdcLeft, USDC_DECIMALS)} · API keys minted: 0`,
      )
      return summary
    })
  } finally {
    await world?.stop()
    await rm(stateDir, { recursive: true, force: true })
  }
}
