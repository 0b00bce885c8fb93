import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { erc20Abi, parseEther, parseUnits, type Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startLocalWorld, type LocalWorld } from '../devnet/src/devnet/startLocalWorld.js'
import { x402TopUpApi } from '../src/runtime/openX402.js'
import { createX402CreditsTracker } from '../src/status/x402Credits.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { BadRequestError, X402PaymentRequiredError } from '../src/venice/errors.js'
import { createWallet } from '../src/wallet/createWallet.js'
import { PolicyViolationError } from '../src/wallet/errors.js'
import { topUpX402 } from '../src/wallet/x402/topUpX402.js'
import { x402JournalPathOf } from '../src/wallet/x402/x402Journal.js'
import type { X402Policy } from '../src/wallet/x402/x402Policy.js'

// In process on a real anvil and the emulator (its x402 rail settling on that chain): the client's top-up, SIWX
// inference and the policy. The SIGKILL test of the same top-up, in separate processes: x402.crash.test.ts.
let world: LocalWorld
beforeAll(async () => {
  world = await startLocalWorld()
}, 120_000)
afterAll(() => world?.stop())

const FIVE = parseUnits('5', 6)

async function freshWallet(o: { usdc?: bigint; eth?: bigint } = {}) {
  const account = privateKeyToAccount(generatePrivateKey())
  await world.devnet.fund(account.address, { eth: o.eth ?? parseEther('1'), usdc: o.usdc ?? 0n })
  const wallet = await createWallet({ account, publicClient: world.devnet.publicClient, addresses: world.devnet.addresses, pollingIntervalMs: 20 })
  const credits = createX402CreditsTracker()
  const venice = createVeniceClient({
    baseURL: world.veniceBaseUrl,
    siwx: { signer: wallet.signer, chainId: wallet.chainId },
    onHeaders: (h) => credits.observe(h),
    maxRetries: 0,
  })
  const policy: X402Policy = {
    maxUsdcPerTopUp: parseUnits('20', 6),
    maxUsdcPerDay: parseUnits('50', 6),
    assets: [world.devnet.addresses.usdc!],
    payees: [world.emulator.x402.payTo],
  }
  return { wallet, venice, credits, policy, api: x402TopUpApi(venice) }
}
const usdcOf = (a: Address) =>
  world.devnet.publicClient.readContract({ address: world.devnet.addresses.usdc!, abi: erc20Abi, functionName: 'balanceOf', args: [a] })
const journalOf = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as { payments: { status: string; nonce?: string }[] }

describe('an agent on the x402 rail: no API key, a 402 funds the credits, a tool loop charged per call', () => {
  it('ETH and USDC, no credits: the first call gets a 402, the host tops up $5 over x402 under the policy, the loop runs by SIWX', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('6', 6) })
    const { createX402Host } = await import('../src/host/x402Host.js')
    const { defineAgent } = await import('../src/agent/defineAgent.js')
    const topUps: string[] = []
    const host = createX402Host({
      wallet,
      baseURL: world.veniceBaseUrl,
      api,
      policy,
      funding: { minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: false },
      usdcPerTopUp: FIVE,
      outboxDir: '/tmp',
      onTopUp: (r, reason) => topUps.push(`${reason}:${r.creditedUsd}`),
    })
    try {
      const agent = defineAgent({ name: 'x402-bot', tools: ['get_wallet_balances'] })
      const run = await host.run(agent, { prompt: 'Call get_wallet_balances, then say how much ETH I hold.' })
      expect(run.status).toBe('completed')
      expect(run.toolCalls).toBeGreaterThan(0)
      expect(run.steps).toBeGreaterThan(1)
      // One top-up: the credits read at start are 0, so the runway is gone before the first call (or a 402 says so);
      // the funding controller shares one attempt between the triggers.
      expect(topUps).toHaveLength(1)
      expect(topUps[0]).toMatch(/^(402|exhausted|runway):5$/)
      expect(await usdcOf(wallet.address)).toBe(parseUnits('1', 6))
      const ledger = await venice.getX402Transactions(wallet.address)
      const charges = ledger.transactions.filter((t) => t.type === 'CHARGE')
      // Charged per call: one debit per model call of the loop, after the one top-up.
      expect(charges).toHaveLength(run.steps)
      expect(ledger.transactions.at(-1)!.type).toBe('TOP_UP')
      const credits = host.credits.figure()!.balanceUsd
      expect(credits).toBeCloseTo(5 + charges.reduce((s, t) => s + t.amount, 0), 6)
      expect(credits).toBeLessThan(5)
    } finally {
      host.close()
    }
  })
})

describe('the x402 runway: one figure for the agent and status, read from the ledger, topped up ahead of any 402', () => {
  it('a new host on the same ledger knows the credits and their burn before its first call, agrees with status, and a short runway tops up with reason "runway"', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('11', 6) })
    const { createX402Host } = await import('../src/host/x402Host.js')
    const { defineAgent } = await import('../src/agent/defineAgent.js')
    const { readLedger } = await import('../src/agent/ledger.js')
    const { collectX402Status } = await import('../src/status/collectX402Status.js')
    const { builtinToolFactories } = await import('../src/host/hostTools.js')
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-x402-runway-'))
    const ledgerPath = join(stateDir, 'ledger.jsonl')
    const agent = defineAgent({ name: 'x402-bot', tools: ['get_wallet_balances'] })
    const hostOn = (minRunwayHours: number, topUps: string[]) =>
      createX402Host({
        wallet,
        baseURL: world.veniceBaseUrl,
        api,
        policy,
        funding: { minRunwayHours, cooldownMs: 0, ethPerTopUp: parseEther('0.01'), mintDiem: false },
        usdcPerTopUp: FIVE,
        outboxDir: join(stateDir, 'outbox'),
        ledgerPath,
        onTopUp: (r, reason) => topUps.push(`${reason}:${r.creditedUsd}`),
      })

    // The first process: no credits yet, one top-up, a charged tool loop. Each call is a ledger line paid from credits.
    const first: string[] = []
    const host1 = hostOn(24, first)
    try {
      expect((await host1.run(agent, { prompt: 'Call get_wallet_balances, then say how much ETH I hold.' })).status).toBe('completed')
    } finally {
      await host1.close()
    }
    expect(first).toHaveLength(1)
    const lines = await readLedger(ledgerPath)
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.every((l) => l.key === 'siwx' && l.agent === 'x402-bot' && l.costDiem === 0 && l.costUsd > 0)).toBe(true)

    // Status (as `gondola status` and `gondola x402 balance` read it) and the agent's get_runway in a new host agree.
    const status = await collectX402Status({ wallet, venice, readSpends: () => readLedger(ledgerPath) })
    const want = status.runway.agents.find((r) => r.agent === 'x402-bot')!
    expect(want.state).toBe('draining')
    expect(want.spendable).toBe(status.credits!.balanceUsd)
    expect(status.runway.wallet.runwayHours).toBe(want.runwayHours)
    const second: string[] = []
    // Its runway threshold sits above the runway the ledger gives: the new host must top up before any call.
    const host2 = hostOn(want.runwayHours! * 4, second)
    try {
      const tool = builtinToolFactories.get_runway!({ services: host2.services(agent) } as never)
      const view = (await tool.handler({}, {} as never)) as { spendable: number; runwayHours: number; burnPerHour: number }
      expect({ spendable: view.spendable, burnPerHour: view.burnPerHour, runwayHours: view.runwayHours }).toEqual({
        spendable: want.spendable,
        burnPerHour: want.burnPerHour,
        runwayHours: want.runwayHours,
      })
      // Ahead of a 402: the credits were never short, the runway was.
      await vi.waitFor(() => expect(second).toEqual(['runway:5']), { timeout: 60_000, interval: 100 })
      expect((await host2.run(agent, { prompt: 'Say hello.' })).status).toBe('completed')
      expect(second).toEqual(['runway:5'])
    } finally {
      await host2.close()
    }
    const after = await venice.getX402Transactions(wallet.address)
    expect(after.transactions.filter((t) => t.type === 'TOP_UP')).toHaveLength(2)
  })
})

describe('the self-funding fetch in x402 mode', () => {
  it('any OpenAI client: the first chat gets a 402, the fetch tops up $5 over x402 and retries; each call is one CHARGE at Venice', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('5', 6) })
    const { createSelfFundingFetch } = await import('../src/adapters/selfFundingFetch.js')
    const { createX402TopUp } = await import('../src/host/x402Host.js')
    const { default: OpenAI } = await import('openai')
    const funding = { minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: false }
    const outcomes: string[] = []
    const funded = createSelfFundingFetch({
      baseURL: world.veniceBaseUrl,
      siwx: { signer: wallet.signer, chainId: wallet.chainId },
      topUp: createX402TopUp({ wallet, api, policy, funding, usdcPerTopUp: FIVE }),
      funding,
      onFunding: (o) => outcomes.push(o.action),
    })
    try {
      const openai = new OpenAI({ baseURL: world.veniceBaseUrl, apiKey: 'unused-in-x402-mode', fetch: funded.fetch, maxRetries: 0 })
      for (let i = 0; i < 2; i++) await openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: `hello ${i}` }] })
      expect(outcomes).toEqual(['topped_up'])
      expect(await usdcOf(wallet.address)).toBe(0n)
      await funded.flush()
      const ledger = await venice.getX402Transactions(wallet.address)
      expect(ledger.transactions.map((t) => t.type)).toEqual(['CHARGE', 'CHARGE', 'TOP_UP'])
    } finally {
      funded.close()
    }
  })
})

describe('the AI SDK on the x402 rail', () => {
  it('generateText with a Gondola tool over the x402 self-funding fetch: a 402 buys $5 of credits, every step is charged', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('5', 6) })
    const { createSelfFundingFetch } = await import('../src/adapters/selfFundingFetch.js')
    const { createX402TopUp } = await import('../src/host/x402Host.js')
    const { toAiSdkTools } = await import('../src/adapters/aiSdk.js')
    const { walletBalancesTool } = await import('../src/tools/builtin/wallet.js')
    const { generateText, stepCountIs } = await import('ai')
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible')
    const funding = { minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: false }
    const funded = createSelfFundingFetch({
      baseURL: world.veniceBaseUrl,
      siwx: { signer: wallet.signer, chainId: wallet.chainId },
      topUp: createX402TopUp({ wallet, api, policy, funding, usdcPerTopUp: FIVE }),
      funding,
    })
    try {
      const provider = createOpenAICompatible({ name: 'venice', baseURL: world.veniceBaseUrl, apiKey: 'unused-in-x402-mode', fetch: funded.fetch })
      const calls: string[] = []
      const balances = walletBalancesTool({ getBalances: async () => (calls.push('get_wallet_balances'), { eth: '1' }) })
      const result = await generateText({
        model: provider.chatModel('qwen3-4b'),
        tools: toAiSdkTools([balances]),
        stopWhen: stepCountIs(4),
        prompt: 'Call get_wallet_balances, then summarise.',
      })
      expect(calls).toContain('get_wallet_balances')
      expect(result.steps.length).toBeGreaterThanOrEqual(2)
      const ledger = await venice.getX402Transactions(wallet.address)
      expect(ledger.transactions.filter((t) => t.type === 'CHARGE')).toHaveLength(result.steps.length)
      expect(ledger.transactions.at(-1)!.type).toBe('TOP_UP')
    } finally {
      funded.close()
    }
  })
})

describe('x402 top-up and SIWX inference against the emulator, settled on anvil', () => {
  it('$5 of USDC credits through a real x402 payment, then chat signed in with SIWX and no API key, charged per call', async () => {
    const { wallet, venice, credits, policy, api } = await freshWallet({ usdc: parseUnits('7', 6) })
    const payeeBefore = await usdcOf(world.emulator.x402.payTo)

    const r = await topUpX402(wallet, { api, policy, amount: FIVE })
    expect(r).toMatchObject({ status: 'settled', amount: FIVE, creditedUsd: 5, newBalanceUsd: 5, payTo: world.emulator.x402.payTo })
    expect(r.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    const receipt = await world.devnet.publicClient.getTransactionReceipt({ hash: r.transaction as `0x${string}` })
    expect(receipt.status).toBe('success')
    expect(await usdcOf(wallet.address)).toBe(parseUnits('2', 6))
    expect((await usdcOf(world.emulator.x402.payTo)) - payeeBefore).toBe(FIVE)
    expect((await journalOf(x402JournalPathOf(wallet.journal.path))).payments.map((p) => p.status)).toEqual(['settled'])

    expect(await venice.getX402Balance(wallet.address)).toMatchObject({ balanceUsd: 5, canConsume: true })
    const chat = () => venice.openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hello' }] }).withResponse()
    await chat()
    const after1 = credits.figure()!.balanceUsd
    expect(after1).toBeLessThan(5)
    expect(credits.figure()!.source).toBe('header')
    await chat()
    const after2 = credits.figure()!.balanceUsd
    expect(after2).toBeLessThan(after1)
    const page = await venice.getX402Transactions(wallet.address)
    expect(page.transactions.map((t) => t.type)).toEqual(['CHARGE', 'CHARGE', 'TOP_UP'])
    expect(page.currentBalance).toBeCloseTo(after2, 6)
  })

  it('a SIGN-IN-WITH-X header is good once: the client signs a fresh one per request, a replay of one is refused', async () => {
    const { wallet } = await freshWallet()
    const { withSiwx, SIWX_HEADER } = await import('../src/venice/siwx.js')
    const sent: string[] = []
    const f = withSiwx(
      (input, init) => {
        sent.push(new Headers(init?.headers).get(SIWX_HEADER)!)
        return fetch(input, init)
      },
      { signer: wallet.signer, chainId: wallet.chainId },
    )
    const url = `${world.veniceBaseUrl}/x402/balance/${wallet.address}`
    expect((await f(url)).status).toBe(200)
    expect((await f(url)).status).toBe(200)
    expect(new Set(sent).size).toBe(2)
    const replay = await fetch(url, { headers: { [SIWX_HEADER]: sent[0]! } })
    expect(replay.status).toBe(401)
  })

  it('a wallet with no credits gets a typed X402PaymentRequiredError; the policy refuses unknown payees, caps and the minimum before signing', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('45', 6) })
    const err = await venice.openai.chat.completions.create({ model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e)
    const { toVeniceError } = await import('../src/venice/errors.js')
    const typed = toVeniceError(err)
    expect(typed).toBeInstanceOf(X402PaymentRequiredError)
    expect(typed).toMatchObject({ status: 402, exitCode: 6, minimumTopUpUsd: 5 })

    const stranger = privateKeyToAccount(generatePrivateKey()).address
    await expect(topUpX402(wallet, { api, policy: { ...policy, payees: [stranger] }, amount: FIVE })).rejects.toMatchObject({
      name: 'PolicyViolationError',
      code: 'POLICY_X402_NOT_ALLOWLISTED',
      exitCode: 4,
    })
    await expect(topUpX402(wallet, { api, policy, amount: parseUnits('21', 6) })).rejects.toMatchObject({ code: 'POLICY_X402_MAX_PER_TOPUP' })
    await expect(topUpX402(wallet, { api, policy, amount: parseUnits('4', 6) })).rejects.toBeInstanceOf(PolicyViolationError)
    // Nothing was signed, nothing moved.
    expect(await usdcOf(wallet.address)).toBe(parseUnits('45', 6))
    await expect(readFile(x402JournalPathOf(wallet.journal.path), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' })

    // The daily cap counts what was signed today: 20 + 20 leaves 10 of 50.
    await topUpX402(wallet, { api, policy, amount: parseUnits('20', 6) })
    await topUpX402(wallet, { api, policy, amount: parseUnits('20', 6) })
    await expect(topUpX402(wallet, { api, policy, amount: FIVE * 3n })).rejects.toMatchObject({ code: 'POLICY_X402_MAX_PER_DAY' })
    expect(await usdcOf(wallet.address)).toBe(FIVE)
  })

  it('a replayed payment signature is refused and credits nothing twice; a signed payment never sent is resent on the next top-up, once', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('20', 6) })
    let header: string | undefined
    const crash = new Error('crash after signing')
    await expect(
      topUpX402(wallet, {
        api,
        policy,
        amount: FIVE,
        hooks: {
          afterSign: (p) => {
            header = p.paymentSignature
            throw crash
          },
        },
      }),
    ).rejects.toBe(crash)
    expect((await journalOf(x402JournalPathOf(wallet.journal.path))).payments.map((p) => p.status)).toEqual(['signed'])
    expect(await usdcOf(wallet.address)).toBe(parseUnits('20', 6))

    // The next top-up settles the journaled authorization (resent as is): that is the top-up, nothing more is paid.
    const r = await topUpX402(wallet, { api, policy, amount: FIVE })
    expect(r).toMatchObject({ status: 'settled', finishedEarlier: true, creditedUsd: 5 })
    expect(r.resumed.map((p) => p.status)).toEqual(['settled'])
    expect((await journalOf(x402JournalPathOf(wallet.journal.path))).payments.map((p) => p.status)).toEqual(['settled'])
    expect(await usdcOf(wallet.address)).toBe(parseUnits('15', 6))
    expect((await venice.getX402Balance(wallet.address)).balanceUsd).toBe(5)
    // A further top-up is a new one.
    await topUpX402(wallet, { api, policy, amount: FIVE })
    expect(await usdcOf(wallet.address)).toBe(parseUnits('10', 6))
    expect((await venice.getX402Balance(wallet.address)).balanceUsd).toBe(10)

    // The same header again: the token refuses the used nonce; no credit.
    const replay = await api.submitX402TopUp(header!).catch((e) => e)
    expect(replay).toBeInstanceOf(BadRequestError)
    expect((await venice.getX402Balance(wallet.address)).balanceUsd).toBe(10)
    expect(await usdcOf(wallet.address)).toBe(parseUnits('10', 6))
  })

  it('a signed authorization that expired unused is dropped: nothing paid, nothing sent', async () => {
    const { wallet, venice, policy, api } = await freshWallet({ usdc: parseUnits('10', 6) })
    await expect(
      topUpX402(wallet, {
        api,
        policy,
        amount: FIVE,
        hooks: {
          afterSign: () => {
            throw new Error('crash')
          },
        },
      }),
    ).rejects.toThrow('crash')
    const snapshot = await world.devnet.snapshot()
    try {
      await world.devnet.testClient.increaseTime({ seconds: 3600 })
      await world.devnet.testClient.mine({ blocks: 1 })
      const { settleX402Payments } = await import('../src/wallet/x402/topUpX402.js')
      const { openX402Journal } = await import('../src/wallet/x402/x402Journal.js')
      const journal = await openX402Journal(x402JournalPathOf(wallet.journal.path))
      const changed = await settleX402Payments(wallet, journal, api)
      expect(changed.map((p) => p.status)).toEqual(['dropped'])
      expect(await usdcOf(wallet.address)).toBe(parseUnits('10', 6))
      expect((await venice.getX402Balance(wallet.address)).balanceUsd).toBe(0)
    } finally {
      await world.devnet.revert(snapshot)
    }
  })
})
